# brine's state tree for the ECS appliance.
# Every host gets the base states; a host whose pillar says appliance:enabled: true also gets
# the appliance. appliance:standby: true (in the env) makes the whole highstate a no-op.
{%- if salt['pillar.get']('appliance:standby', false) %}
base: {}
{%- else %}
base:
  '*':
    - common
    - ssh
  'appliance:enabled:true':
    - match: pillar
    - appliance
{%- endif %}
