#!/usr/bin/env bash
# What the engine/CLI tests need: `ip` (grains read addresses and the default route), `hostname`
# and coreutils' timeout (grains); flock (the run lock) and find (temp cleanup); pgrep/pkill
# (the signal and lock tests find the run's command with them); Debian's pip and venv (the
# pip.installed tests make a virtualenv with /usr/bin/python3). Idempotent.
set -euo pipefail
need=()
command -v ip >/dev/null || need+=(iproute2)
command -v hostname >/dev/null || need+=(hostname)
command -v timeout >/dev/null || need+=(coreutils)
command -v flock >/dev/null || need+=(util-linux)
command -v find >/dev/null || need+=(findutils)
command -v pgrep >/dev/null || need+=(procps)
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
/usr/bin/python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
