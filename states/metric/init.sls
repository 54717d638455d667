# Metrics, switched by appliance:metric:* (all off by default): exporter (prometheus node and
# postgres exporters, nginx stub status), server (prometheus), gui (grafana: not packaged in
# Debian, only noted), pghero (not packaged: only noted).
include:
  - postgresql

{%- set exporter = salt['pillar.get']('appliance:metric:exporter', false) %}
{%- set server = salt['pillar.get']('appliance:metric:server', false) %}

{%- for pkgname, svc, on in [['prometheus-node-exporter', 'prometheus-node-exporter', exporter],
                             ['prometheus-postgres-exporter', 'prometheus-postgres-exporter', exporter],
                             ['prometheus', 'prometheus', server]] %}
{%- if on %}
{{ pkgname }}:
  pkg.installed: []
  service.running:
    - name: {{ svc }}
    - enable: true
    - require:
      - pkg: {{ pkgname }}
{%- else %}
{{ pkgname }}:
  pkg.removed: []
{%- endif %}
{%- endfor %}

{%- if exporter %}
{%- set pgport = salt['pillar.get']('postgresql:port', 5432) %}
# the postgres exporter (Debian ships it with an empty DSN: it exits at once) reads the cluster as
# role prometheus (pg_monitor) over the local socket, where peer authentication maps the user
prometheus_postgres_role:
  postgres_user.present:
    - name: prometheus
    - login: true
    - port: {{ pgport }}
    - require:
      - service: postgresql

prometheus_postgres_monitor:
  cmd.run:
    - name: cd / && runuser -u postgres -- psql -p {{ pgport }} -qc 'GRANT pg_monitor TO prometheus'
    - unless: cd / && test "$(runuser -u postgres -- psql -p {{ pgport }} -Atc "select pg_has_role('prometheus', 'pg_monitor', 'member')")" = t
    - require:
      - postgres_user: prometheus_postgres_role

/etc/default/prometheus-postgres-exporter:
  file.managed:
    - contents: |
        # managed by brine (states/metric)
        DATA_SOURCE_NAME='user=prometheus host=/run/postgresql port={{ pgport }} dbname=postgres sslmode=disable'
        ARGS=""
    - require:
      - pkg: prometheus-postgres-exporter
      - cmd: prometheus_postgres_monitor
    - watch_in:
      - service: prometheus-postgres-exporter
{%- endif %}
