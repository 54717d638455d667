#!/bin/bash
# appliance-update.sh (manual 4.5, states/update), as the original appliance updates:
# 1. the states: with appliance:git:source set, update the brine checkout in /app/brine (branch
#    appliance:git:branch, default main) and stage it; then brine highstate (which also checks
#    out the ECS source, ecs:git)
# 2. package updates: apt-get update; when docker, docker-compose or postgresql have updates the
#    appliance is stopped first (postgresql: connections closed, the database dumped); then
#    unattended-upgrade installs what its origins allow (/etc/apt/apt.conf.d/50unattended-upgrades)
# 3. reboot when a package asks for it (/run/reboot-required, written by reboot-notifier);
#    otherwise restart the appliance only when something it runs changed: a new ECS commit
#    (prepare-ecs rebuilds, dumps and migrates), its compose files or env, docker or postgresql
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive NO_COLOR=1
. /usr/local/share/appliance/appliance.include
env_export
fail() {
    # a running appliance keeps serving; a stopped one shows why
    if systemctl is-active --quiet appliance.service; then
        appliance_status --disable
    else
        appliance_status "Appliance Update" "Update failed: $1"
    fi
    echo "appliance-update: $1" >&2; exit 1
}
ecs_state() { cat /app/etc/ecs/docker-compose.yml /app/etc/ecs/*.env 2>/dev/null | sha256sum; brine env export ecs --env "$ACTIVE_ENV" | sha256sum; }
before="$(ecs_state)"

args=()
if test -n "${APPLIANCE_GIT_SOURCE:-}"; then
    branch="${APPLIANCE_GIT_BRANCH:-main}"
    if test ! -d /app/brine/.git; then git clone --branch "$branch" "$APPLIANCE_GIT_SOURCE" /app/brine || fail "git clone $APPLIANCE_GIT_SOURCE"; fi
    git -C /app/brine remote set-url origin "$APPLIANCE_GIT_SOURCE"
    git -C /app/brine fetch --quiet origin "$branch" && git -C /app/brine reset --quiet --hard "origin/$branch" || fail "git fetch $APPLIANCE_GIT_SOURCE"
    command -v npm >/dev/null || apt-get install -y -q npm
    (cd /app/brine && npm ci --no-audit --no-fund && npm run build) || fail "building brine from /app/brine"
    args=(--states /app/brine/states --pillar /app/brine/pillar)
fi
echo "appliance-update: highstate"
/usr/local/bin/brine highstate --env "$ACTIVE_ENV" "${args[@]}" || fail "brine highstate"

echo "appliance-update: package updates"
apt-get update -q || fail "apt-get update"
upgradable="$(apt list --upgradable 2>/dev/null | sed -n 's|^\([^/]*\)/.*|\1|p')"
need_docker=false need_postgres=false need_restart=false
grep -qxE 'docker\.io|containerd|runc|docker-compose' <<<"$upgradable" && need_docker=true
grep -qE '^postgresql(-[0-9]+|-common|-client-[0-9]+)?$' <<<"$upgradable" && need_postgres=true
echo "appliance-update: upgradable: $(echo $upgradable); docker=$need_docker postgresql=$need_postgres"
if $need_docker || $need_postgres; then
    appliance_status "Appliance Update" "Stopping the appliance for docker/postgresql updates"
    systemctl stop appliance.service prepare-ecs.service
    need_restart=true
    if $need_postgres; then
        psql_db "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
        database_dump "/data/ecs-pgdump/$ECS_DATABASE-update.pgdump" || fail "could not dump database $ECS_DATABASE before the postgresql update"
    fi
fi
if test -n "$upgradable"; then
    appliance_status "Appliance Update" "Unattended system upgrades"
    unattended-upgrade -v || fail "unattended-upgrade"
fi

target="$(git -C /app/ecs rev-parse HEAD 2>/dev/null || echo invalid)"
if test "$target" != "$(cat /app/etc/tags/last_build_ecs 2>/dev/null || echo invalid)"; then
    echo "appliance-update: new ECS source $target"
    need_restart=true
fi
test "$before" != "$(ecs_state)" && { echo "appliance-update: the ECS configuration changed"; need_restart=true; }

if test -e /run/reboot-required; then
    echo "appliance-update: reboot required ($(cat /run/reboot-required.pkgs 2>/dev/null | tr '\n' ' '))"
    systemctl reboot
elif $need_restart; then
    echo "appliance-update: restarting the appliance"
    systemctl restart appliance.service || fail "restarting the appliance"
else
    echo "appliance-update: nothing changed, the appliance keeps running"
    if systemctl is-active --quiet appliance.service; then appliance_status --disable; fi
fi
