# brine's pillar top file: merged in this order (later wins), then the active env is merged on
# top (or default-env.yml when no env source has one).
base:
  '*':
    - common
    - appliance
