#!/usr/bin/env bash
# What the docker-capable booted target (test/harness/docker-target.ts) needs on this machine, on
# top of 20-nspawn.sh: iptables (NAT for apt inside the target), iproute2 (the veth), flock and
# mountpoint (util-linux), losetup (mount: the blank loop disks of loopDisksMiB). The target's rootfs
# with docker.io, docker-compose, git, ... is built once, cached in /var/cache/brine-test, by the
# first test that starts one. pebble (a local ACME server) is copied into the target by the
# certificate test (test/integration/appliance/pebble.ts). Idempotent.
set -euo pipefail
need=()
command -v iptables >/dev/null || need+=(iptables)
command -v ip >/dev/null || need+=(iproute2)
command -v flock >/dev/null || need+=(util-linux)
command -v mountpoint >/dev/null || need+=(util-linux)
command -v losetup >/dev/null || need+=(mount)
command -v pebble >/dev/null || need+=(pebble)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
