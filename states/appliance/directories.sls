# The runtime and data layout of the appliance (administration manual, "runtime layout" and
# "data layout"): /app holds configuration, /data what must be backed up, /volatile what can be
# rebuilt. /app/ecs-ca is the CA in /data.
include:
  - common

/usr/local/share/appliance:
  file.directory:
    - makedirs: true

/app/etc:
  file.directory:
    - makedirs: true
    - mode: "0755"

{%- for n in ['tags', 'flags', 'hooks'] %}
/app/etc/{{ n }}:
  file.directory:
    - require:
      - file: /app/etc
{%- endfor %}

{%- for d in ['/data/etc', '/data/ecs-pgdump', '/data/postgresql',
              '/volatile/docker', '/volatile/ecs-backup-test', '/volatile/redis', '/volatile/duplicity'] %}
{{ d }}:
  file.directory:
    - makedirs: true
{%- endfor %}

# owned by uid/gid 1000: the user the ECS containers run as (no host account is needed); the
# client-certificate CA (its private key) and the vault keys are for that user alone (nginx's
# master process reads the CA certificate and CRL as root)
{%- for d in ['/data/ecs-ca', '/data/ecs-gpg', '/data/ecs-storage-vault', '/volatile/ecs-cache'] %}
{{ d }}:
  file.directory:
    - makedirs: true
    - user: 1000
    - group: 1000
    - mode: "{{ '0700' if d in ['/data/ecs-ca', '/data/ecs-gpg'] else '0755' }}"
{%- endfor %}

/app/ecs-ca:
  file.symlink:
    - target: /data/ecs-ca
    - force: true
    - require:
      - file: /data/ecs-ca

