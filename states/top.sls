# brine's state tree for the ECS appliance.
# Every host gets the base states; a host whose pillar says appliance:enabled: true also gets
# the appliance. appliance:standby: true (in the env) makes the whole highstate a no-op: only the
# notice of standby.sls (a top file that selects nothing is an error, as in Salt).
{%- if salt['pillar.get']('appliance:standby', false) %}
base:
  '*':
    - standby
{%- else %}
base:
  '*':
    - common
    - ssh
  'appliance:enabled:true':
    - match: pillar
    - appliance
{%- endif %}
