# The runtime and data layout of the appliance (administration manual, "runtime layout" and
# "data layout"): /app holds configuration, /data what must be backed up, /volatile what can be
# rebuilt. storage (prepare-storage.sh) mounts /data and /volatile when the env has them and makes
# the manual's links: /app/etc -> /data/etc, /app/ecs-{ca,gpg,storage-vault} -> /data/...,
# /var/lib/postgresql -> /data/postgresql, /var/lib/docker -> /volatile/docker.
include:
  - common
  - storage

/usr/local/share/appliance:
  file.directory:
    - makedirs: true

/app/etc:
  file.symlink:
    - target: /data/etc
    - require:
      - cmd: prepare_storage

{%- for n in ['tags', 'flags', 'hooks'] %}
/app/etc/{{ n }}:
  file.directory:
    - require:
      - file: /app/etc
{%- endfor %}

{%- for d in ['/data/etc', '/data/ecs-pgdump',
              '/volatile/docker', '/volatile/ecs-backup-test', '/volatile/redis', '/volatile/duplicity'] %}
{{ d }}:
  file.directory:
    - makedirs: true
    - require:
      - cmd: prepare_storage
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
    - require:
      - cmd: prepare_storage
{%- endfor %}

/app/ecs-ca:
  file.symlink:
    - target: /data/ecs-ca
    - require:
      - file: /data/ecs-ca

