# The ECS application: a docker-compose project in /app/etc/ecs (web, worker, beat, smtpd, redis,
# memcached, pdfas, mocca; ecs:compose:NAME: false leaves an optional one out). Settings and
# secrets are not written here: the appliance unit exports them from /run/active-env.yml
# (`brine env export ecs,appliance`) into the compose environment. The source (ecs.source) is
# built into ecs/ecs:latest by prepare-ecs at boot; the storage vault's keys: ecs.vault.
include:
  - appliance.directories
  - ecs.source
  - ecs.vault

/app/etc/ecs:
  file.directory:
    - require:
      - file: /app/etc

/app/etc/ecs/docker-compose.yml:
  file.managed:
    - source: salt://ecs/files/docker-compose.yml
    - template: jinja
    - require:
      - file: /app/etc/ecs

/app/etc/ecs/service_urls.env:
  file.managed:
    - contents: |
        REDIS_URL=redis://redis:6379/0
        MEMCACHED_URL=memcached://memcached:11211
        SMTP_URL=smtp://{{ salt['pillar.get']('docker:ip', '172.17.0.1') }}:25
    - require:
      - file: /app/etc/ecs

# the app role's password is set by prepare-appliance; the file is only created once
/app/etc/ecs/database_url.env:
  file.managed:
    - contents: |
        DATABASE_URL=postgres://app:invalid@{{ salt['pillar.get']('docker:ip', '172.17.0.1') }}:{{ salt['pillar.get']('postgresql:port', 5432) }}/{{ salt['pillar.get']('ecs:database', 'ecs') }}
    - replace: false
    - mode: "0600"
    - require:
      - file: /app/etc/ecs

{%- for i in ['pdfas', 'mocca'] if salt['pillar.get']('ecs:compose:' ~ i, true) %}
/app/etc/ecs/{{ i }}:
  file.recurse:
    - source: salt://ecs/files/{{ i }}
    - require:
      - file: /app/etc/ecs
{%- endfor %}
