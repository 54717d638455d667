# The ECS appliance: everything a host needs to run the ECS web service. Selected by the top
# file when the pillar says appliance:enabled: true.
include:
  - common
  - storage
  - docker
  - brine
  - appliance.directories
  - extra
  - ecs
  - ssl
  - nginx
  - postfix
  - stunnel
  - postgresql
  - scripts
  - systemd
  - backup
  - update
  - metric
