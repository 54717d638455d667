#!/usr/bin/env bash
# What the postgres module tests need: PostgreSQL 15 running on this machine (pg_ctlcluster, no
# service manager here) and the de_DE.UTF-8 locale the appliance's database uses. Idempotent.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql postgresql-contrib)
command -v locale-gen >/dev/null || need+=(locales)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! locale -a | grep -qix 'de_DE.utf8'; then
  sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen >/dev/null
fi
# A cluster created before the locale existed still sees it (initdb is not needed again).
[ -d /etc/postgresql/15/main ] || pg_createcluster 15 main >/dev/null
if ! pg_lsclusters -h 15 main | grep -q online; then
  pg_ctlcluster 15 main start
fi
