#!/usr/bin/env bash
# What the engine/CLI tests need: `ip` (grains read addresses and the default route), `hostname`
# and coreutils' timeout (grains). Idempotent.
set -euo pipefail
need=()
command -v ip >/dev/null || need+=(iproute2)
command -v hostname >/dev/null || need+=(hostname)
command -v timeout >/dev/null || need+=(coreutils)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
