# The storage vault's keys (ecs:vault_encrypt, ecs:vault_sign) in /data/ecs-gpg, the gpg home the
# ECS containers use (/app/ecs-gpg, uid 1000, 0700). The keys are staged as root-only files; the
# keyring is rebuilt from them whenever its secret keys differ (a changed key replaces the old).
include:
  - appliance.directories

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

/usr/local/share/appliance/import-vault-keys.sh:
  file.managed:
    - source: salt://ecs/files/import-vault-keys.sh
    - mode: "0755"
    - require:
      - file: /usr/local/share/appliance

ecs_vault_keys:
  cmd.run:
    - name: /usr/local/share/appliance/import-vault-keys.sh
    - unless: /usr/local/share/appliance/import-vault-keys.sh --check
    - require:
      - file: /usr/local/share/appliance/import-vault-keys.sh
      - file: /app/etc/ecs/vault/vault_encrypt.asc
      - file: /app/etc/ecs/vault/vault_sign.asc
      - file: /data/ecs-gpg
