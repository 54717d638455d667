# PostgreSQL (Debian 12: 15) for the ECS: role `app`, database `ecs` (locale de_DE.utf8), listening
# on localhost and the docker bridge, md5 logins for `app` from the docker net, pg_stat_statements.
include:
  - common
  - storage

{%- set version = salt['pillar.get']('postgresql:version', 15) %}
{%- set port = salt['pillar.get']('postgresql:port', 5432) %}
{%- set confdir = '/etc/postgresql/' ~ version ~ '/main' %}
{%- set docker_ip = salt['pillar.get']('docker:ip', '172.17.0.1') %}
{%- set database = salt['pillar.get']('ecs:database', 'ecs') %}

postgresql_packages:
  pkg.installed:
    - pkgs:
      - postgresql
      - postgresql-contrib
    - require:
      - locale: locale_de_DE.UTF-8

# the clusters live on /data (/var/lib/postgresql is a link, states/storage), owned by postgres
/data/postgresql:
  file.directory:
    - user: postgres
    - group: postgres
    - require:
      - pkg: postgresql_packages
      - cmd: prepare_storage

{{ confdir }}/conf.d/ecs.conf:
  file.managed:
    - makedirs: true
    - contents: |
        # managed by brine (states/postgresql)
        port = {{ port }}
        listen_addresses = 'localhost,{{ docker_ip }}'
        shared_preload_libraries = 'pg_stat_statements'
        pg_stat_statements.track = all
    - require:
      - pkg: postgresql_packages

{{ confdir }}/pg_hba.conf:
  file.managed:
    - source: salt://postgresql/files/pg_hba.conf
    - template: jinja
    - user: postgres
    - group: postgres
    - mode: "0640"
    - require:
      - pkg: postgresql_packages

postgresql:
  service.running:
    - enable: true
    - require:
      - pkg: postgresql_packages
    - watch:
      - file: {{ confdir }}/conf.d/ecs.conf
      - file: {{ confdir }}/pg_hba.conf

app_role:
  postgres_user.present:
    - name: app
    - login: true
    - port: {{ port }}
    - require:
      - service: postgresql

ecs_database:
  postgres_database.present:
    - name: {{ database }}
    - owner: app
    - encoding: UTF8
    - lc_collate: de_DE.utf8
    - lc_ctype: de_DE.utf8
    - template: template0
    - port: {{ port }}
    - require:
      - postgres_user: app_role

{%- for ext in ['pg_stat_statements', 'pgcrypto'] %}
ecs_extension_{{ ext }}:
  postgres_extension.present:
    - name: {{ ext }}
    - maintenance_db: {{ database }}
    - port: {{ port }}
    - require:
      - postgres_database: ecs_database
{%- endfor %}
