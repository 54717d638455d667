# Metrics and alerts (manual 4.8), switched by appliance:metric:* (all off by default). Everything
# listens on 127.0.0.1 only (Debian's packages take their flags as ARGS in /etc/default/NAME):
# - exporter: node exporter :9100 (with the systemd collector, and the textfile collector in
#   /var/lib/prometheus/node-exporter where appliance-backup, appliance-update and the certificate
#   hook write appliance_* metrics), postgres exporter :9187 (role `prometheus` with pg_monitor,
#   over the local socket, peer authentication), nginx exporter :9113 (nginx stub_status
#   127.0.0.1:8080); the compose project's redis/memcached exporters listen on the docker bridge.
# - server: prometheus :9090 (scrapes every exporter, evaluates appliance.rules.yml) and
#   alertmanager :9093 (its cluster port is off), which mails the alerts to root via postfix.
# gui (grafana) and pghero are not packaged in Debian: only noted.
include:
  - nginx
{%- set exporter = salt['pillar.get']('appliance:metric:exporter', false) %}
{%- set server = salt['pillar.get']('appliance:metric:server', false) %}
{%- set domain = salt['pillar.get']('appliance:domain', 'localhost') %}
{%- set pgport = salt['pillar.get']('postgresql:port', 5432) %}
{%- if exporter %}
  - postgresql
{%- endif %}

# written by appliance-backup and appliance-update when they end (their units: ExecStopPost)
/usr/local/sbin/appliance-metric-result.sh:
  file.managed:
    - source: salt://metric/files/appliance-metric-result.sh
    - mode: "0755"

{%- set args = {
  'prometheus-node-exporter': '--web.listen-address=127.0.0.1:9100 --collector.systemd',
  'prometheus-postgres-exporter': '--web.listen-address=127.0.0.1:9187',
  'prometheus-nginx-exporter':
    '-web.listen-address=127.0.0.1:9113 -nginx.scrape-uri=http://127.0.0.1:8080/stub_status -nginx.retries=30',
  'prometheus': '--web.listen-address=127.0.0.1:9090',
  'prometheus-alertmanager': '--web.listen-address=127.0.0.1:9093 --cluster.listen-address=',
} %}
{%- for name, on in [['prometheus-node-exporter', exporter], ['prometheus-postgres-exporter', exporter],
                     ['prometheus-nginx-exporter', exporter],
                     ['prometheus', server], ['prometheus-alertmanager', server]] %}
{%- if on %}
{{ name }}:
  pkg.installed:
    # its flags first: the package starts the daemon at once (dpkg keeps our file: confold)
    - require:
      - file: /etc/default/{{ name }}
  service.running:
    - enable: true
    - require:
      - pkg: {{ name }}
{%- if name == 'prometheus-nginx-exporter' %}
      - service: nginx
{%- endif %}
    - watch:
      - file: /etc/default/{{ name }}
{%- if name == 'prometheus' %}
      - file: /etc/prometheus/prometheus.yml
      - file: /etc/prometheus/appliance.rules.yml
{%- elif name == 'prometheus-alertmanager' %}
      - file: /etc/prometheus/alertmanager.yml
{%- elif name == 'prometheus-postgres-exporter' %}
      - cmd: prometheus_pg_monitor
{%- endif %}

/etc/default/{{ name }}:
  file.managed:
    - contents: |
        # managed by brine (states/metric)
{%- if name == 'prometheus-postgres-exporter' %}
        DATA_SOURCE_NAME='user=prometheus host=/run/postgresql port={{ pgport }} dbname=postgres sslmode=disable'
{%- endif %}
        ARGS="{{ args[name] }}"
{%- else %}
{{ name }}:
  pkg.removed: []
{%- endif %}
{%- endfor %}

{%- if exporter %}

# the postgres exporter's role: pg_monitor (read the statistics), login over the local socket only
# (peer: the OS user prometheus of the package), no password
prometheus_pg_role:
  postgres_user.present:
    - name: prometheus
    - login: true
    - port: {{ pgport }}
    - require:
      - service: postgresql

prometheus_pg_monitor:
  cmd.run:
    - name: runuser -u postgres -- psql -p {{ pgport }} -v ON_ERROR_STOP=1 -qc 'GRANT pg_monitor TO prometheus'
    - unless: >-
        runuser -u postgres -- psql -p {{ pgport }} -Atc "SELECT pg_has_role('prometheus', 'pg_monitor', 'member')"
        | grep -qx t
    - require:
      - postgres_user: prometheus_pg_role
{%- endif %}

{%- if server %}

/etc/prometheus/prometheus.yml:
  file.managed:
    - source: salt://metric/files/prometheus.yml
    - template: jinja
    - context:
        domain: {{ domain }}
        exporter: {{ exporter }}
        docker_ip: {{ salt['pillar.get']('docker:ip', '172.17.0.1') }}
        redis: {{ salt['pillar.get']('ecs:compose:redis', true) }}
        memcached: {{ salt['pillar.get']('ecs:compose:memcached', true) }}
    - check_cmd: promtool check config --syntax-only
    - require:
      - pkg: prometheus

/etc/prometheus/appliance.rules.yml:
  file.managed:
    - source: salt://metric/files/appliance.rules.yml
    - check_cmd: promtool check rules
    - require:
      - pkg: prometheus

/etc/prometheus/alertmanager.yml:
  file.managed:
    - source: salt://metric/files/alertmanager.yml
    - template: jinja
    - context:
        domain: {{ domain }}
    - check_cmd: amtool check-config
    - require:
      - pkg: prometheus-alertmanager
{%- endif %}
