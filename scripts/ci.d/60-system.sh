#!/usr/bin/env bash
# What the pkg/service/users/system module tests need on this machine: dpkg-deb and gpg to build the
# signed local apt repository they install from (test/integration/system/local-repo.ts), and
# systemctl for the "no systemd as PID 1" service tests. The booted target comes from 20-nspawn.sh.
# Idempotent.
set -euo pipefail
need=()
command -v dpkg-deb >/dev/null || need+=(dpkg)
command -v gpg >/dev/null || need+=(gnupg)
command -v gpgconf >/dev/null || need+=(gpgconf)
command -v systemctl >/dev/null || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
