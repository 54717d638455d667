#!/usr/bin/env bash
# What the booted-Debian test harness (test/harness/) and the ssh tests need: debootstrap and
# systemd-nspawn to build and boot the target, the OpenSSH client (ssh-keygen, ssh-agent). The
# ssh bench (not run by CI) also needs ansible-core. The rootfs itself is built (once, cached in /var/cache/brine-test) by the first test
# that starts a target. Idempotent.
set -euo pipefail
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
command -v ssh >/dev/null || need+=(openssh-client)
command -v flock >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
