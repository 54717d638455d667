#!/bin/bash
# appliance-update.sh (states/update):
# 1. pull the states: with appliance:git:source set, update the brine checkout in /app/brine
#    (branch appliance:git:branch, default main) and stage it (npm ci; npm run build)
# 2. brine highstate (from the checkout if there is one, else the installed tree)
# 3. system updates (apt-get dist-upgrade, non-interactive)
# 4. restart the appliance (or reboot when a package asks for it)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive NO_COLOR=1
eval "$(/usr/local/bin/brine env export appliance --prefix 'export ')"
args=()
if test -n "${APPLIANCE_GIT_SOURCE:-}"; then
    branch="${APPLIANCE_GIT_BRANCH:-main}"
    if test ! -d /app/brine/.git; then git clone --branch "$branch" "$APPLIANCE_GIT_SOURCE" /app/brine; fi
    git -C /app/brine fetch --quiet origin "$branch"
    git -C /app/brine reset --quiet --hard "origin/$branch"
    command -v npm >/dev/null || apt-get install -y -q npm
    (cd /app/brine && npm ci --no-audit --no-fund && npm run build)
    args=(--states /app/brine/states --pillar /app/brine/pillar)
fi
echo "appliance-update: highstate"
/usr/local/bin/brine highstate "${args[@]}"
echo "appliance-update: system updates"
apt-get update -q
apt-get dist-upgrade -y -q -o Dpkg::Options::=--force-confold
apt-get autoremove -y -q
if test -e /run/reboot-required; then
    echo "appliance-update: reboot required"
    systemctl reboot
elif systemctl is-enabled --quiet appliance.service; then
    echo "appliance-update: restarting the appliance"
    systemctl restart appliance.service
fi
