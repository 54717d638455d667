# The boot chain (administration manual, "execution order"):
#   prepare-env (brine env activate -> /run/active-env.yml)
#   -> prepare-appliance (brine highstate: the host in state)
#   -> prepare-ecs (images, migrations) -> appliance (docker-compose up)
# A failing unit starts appliance-failed@, which leaves /run/appliance-failed: the chain does not
# start again (no restart loop) until an operator removes it.
include:
  - systemd.reload
  - scripts

{%- set units = ['prepare-env.service', 'prepare-appliance.service', 'prepare-ecs.service',
                 'appliance.service', 'appliance-cleanup.service', 'appliance-failed@.service',
                 'service-failed@.service', 'watch-ecs-ca.service', 'watch-ecs-ca.path'] %}
{%- for n in units %}
/etc/systemd/system/{{ n }}:
  file.managed:
    - source: salt://systemd/files/{{ n }}
    - watch_in:
      - cmd: systemd_reload
{%- endfor %}

{%- for n in ['appliance.service', 'watch-ecs-ca.path'] %}
enable_{{ n }}:
  service.enabled:
    - name: {{ n }}
    - require:
      - cmd: systemd_reload
{%- for u in units %}
      - file: /etc/systemd/system/{{ u }}
{%- endfor %}
{%- endfor %}
