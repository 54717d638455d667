# Metrics, switched by appliance:metric:* (all off by default): exporter (prometheus node and
# postgres exporters, nginx stub status), server (prometheus), gui (grafana: not packaged in
# Debian, only noted), pghero (not packaged: only noted).
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
