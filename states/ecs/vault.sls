# The storage vault's keys (ecs:vault_encrypt, ecs:vault_sign) in /data/ecs-gpg, the gpg home the
# ECS containers use (/app/ecs-gpg, uid 1000, 0700). The keys are staged as root-only files; the
# keyring is rebuilt from them whenever its secret keys differ (a changed key replaces the old).
include:
  - appliance.directories
  - appliance.keyring

/app/etc/ecs/vault:
  file.directory:
    - mode: "0700"
    - require:
      - file: /app/etc/ecs

{%- for k in ['vault_encrypt', 'vault_sign'] %}
/app/etc/ecs/vault/{{ k }}.asc:
  file.managed:
    - contents_pillar: ecs:{{ k }}
    - mode: "0600"
    - require:
      - file: /app/etc/ecs/vault
{%- endfor %}

{%- set sync = '/usr/local/share/appliance/sync-keyring.sh --home /data/ecs-gpg --owner 1000:1000' ~
    ' /app/etc/ecs/vault/vault_encrypt.asc=ecs:vault_encrypt /app/etc/ecs/vault/vault_sign.asc=ecs:vault_sign' %}
ecs_vault_keys:
  cmd.run:
    - name: {{ sync }}
    - unless: {{ sync }} --check
    - require:
      - file: /usr/local/share/appliance/sync-keyring.sh
      - file: /app/etc/ecs/vault/vault_encrypt.asc
      - file: /app/etc/ecs/vault/vault_sign.asc
      - file: /data/ecs-gpg
