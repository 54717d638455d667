#!/bin/bash
# Supervisor of one docker-capable target (test/harness/docker-target.ts starts it detached):
# moves itself into private cgroups (so nspawn's payload and the inner docker cgroups do not land
# in the host's roots), boots the container with its own network namespace, gives the host end of
# the veth its address on every boot, and boots it again when the guest reboots (nspawn exit 133).
# After /work/shared/recipes/docker-in-nspawn.sh (_run).
# Env: NAME ROOT STATE HOSTIP MEMCG [DEVICES: block devices of the host bound into the guest, space-separated]
set -u
CG=brine-$NAME
: > "$STATE/cgroups"
for h in /sys/fs/cgroup/*/; do
  h=${h%/}
  [ "${h##*/}" = memory ] && d=$h$MEMCG/$CG || d=$h/$CG
  mkdir -p "$d" || continue
  echo "$d" >> "$STATE/cgroups"
  if [ "${h##*/}" = cpuset ]; then
    cat "$h/cpuset.cpus" > "$d/cpuset.cpus"; cat "$h/cpuset.mems" > "$d/cpuset.mems"
  fi
  echo $BASHPID > "$d/cgroup.procs"
done
devs=() DOCKER_BIND=()
[ "${DOCKER_ON_HOST:-1}" = 1 ] && DOCKER_BIND=(--bind="$STATE/var-lib-docker:/var/lib/docker")
for d in ${DEVICES:-}; do devs+=("--bind=$d"); done
stop=0 NSPID=
trap 'stop=1; [ -n "$NSPID" ] && kill -TERM "$NSPID" 2>/dev/null' TERM INT   # nspawn powers the guest off
while :; do
  echo "$(date +%s.%N)" >> "$STATE/boots"
  systemd-nspawn -b -D "$ROOT" -M "$NAME" --register=no --keep-unit \
    --private-network --network-veth --capability=all --drop-capability=CAP_SYS_TIME \
    --system-call-filter='add_key keyctl bpf' --console=read-only \
    --bind="$STATE/var-lib-containerd:/var/lib/containerd" "${devs[@]}" "${DOCKER_BIND[@]}" &
  NSPID=$!
  echo $NSPID > "$STATE/nspawn.pid"
  for _ in $(seq 100); do ip link show "ve-$NAME" >/dev/null 2>&1 && break; sleep 0.1; done
  ip addr add "$HOSTIP/30" dev "ve-$NAME" 2>/dev/null || true
  ip link set "ve-$NAME" up || true
  rc=0; wait $NSPID || rc=$?
  while kill -0 $NSPID 2>/dev/null; do rc=0; wait $NSPID || rc=$?; done  # a trapped signal ends wait early
  echo "[supervisor] nspawn exited rc=$rc"
  [ $stop = 0 ] && [ $rc = 133 ] || break   # 133: the guest ran "reboot": boot it again
done
