# Operator scripts: create-internal-user.sh and create-client-certificate.sh (run inside the
# ECS web container), and the helpers the appliance units source.
include:
  - appliance.directories

{%- for n in ['create-internal-user.sh', 'create-client-certificate.sh'] %}
/usr/local/sbin/{{ n }}:
  file.managed:
    - source: salt://scripts/files/{{ n }}
    - mode: "0755"
{%- endfor %}

{%- for n in ['appliance.include', 'prepare-ecs.sh', 'appliance-failed.sh'] %}
/usr/local/share/appliance/{{ n }}:
  file.managed:
    - source: salt://scripts/files/{{ n }}
{%- if n == 'appliance.include' %}
    - template: jinja
{%- endif %}
    - mode: "0755"
    - require:
      - file: /usr/local/share/appliance
{%- endfor %}
