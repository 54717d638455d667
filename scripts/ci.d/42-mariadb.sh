#!/usr/bin/env bash
# What the mysql module tests need: Debian's MariaDB server running on this machine (its init.d
# script, as there is no service manager here). root reaches it over the unix socket. Idempotent.
set -euo pipefail
if ! command -v mariadbd >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
fi
if ! mariadb-admin ping >/dev/null 2>&1; then
  /etc/init.d/mariadb start >/dev/null
fi
mariadb-admin ping >/dev/null
