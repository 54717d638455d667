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
