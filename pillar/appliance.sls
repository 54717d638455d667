# the docker bridge network the appliance's containers use
docker:
  ip: 172.17.0.1
  net: 172.17.0.0/16
  netmask: 255.255.0.0
  options: --storage-driver=overlay2 --bridge=docker0
# a host with this pillar tree is an ECS appliance: states/top.sls selects the `appliance` states
# by `appliance:enabled: true` (as the original salt tree did); set it false for a plain host
appliance:
  enabled: true
# the ECS application: its source (the env's ecs:git wins), the optional services of its compose
# project (false: not run, e.g. where their images cannot be pulled) and the images pulled for them
ecs:
  git:
    source: https://github.com/ecs-org/ecs.git
    branch: master
  compose:
    redis: true
    memcached: true
    pdfas: true
    mocca: true
  images:
    redis: redis:7
    memcached: memcached:1
