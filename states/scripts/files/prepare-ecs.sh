#!/bin/bash
# prepare-ecs: the ECS images and database schema before the compose project starts.
set -eu
. /usr/local/share/appliance/appliance.include
env_export
cd /app/etc/ecs
# the app role gets a random password once; the containers read it from database_url.env
if grep -q '^DATABASE_URL=postgres://app:invalid@' database_url.env; then
    pass="$(openssl rand -hex 24)"
    port="$(sed -n 's|^DATABASE_URL=postgres://[^@]*@[^:]*:\([0-9]*\)/.*|\1|p' database_url.env)"
    (cd / && runuser -u postgres -- psql -p "${port:-5432}" -q -c "ALTER ROLE app WITH PASSWORD '$pass'")
    sed -i "s|^DATABASE_URL=postgres://app:invalid@|DATABASE_URL=postgres://app:$pass@|" database_url.env
fi
if ! docker image inspect ecs/ecs:latest >/dev/null 2>&1; then
    echo "ecs/ecs:latest is missing: build it from the ECS source (ecs:git:source) or load it" >&2
    exit 1
fi
compose build pdfas mocca
if test "${ECS_MIGRATE_AUTO:-true}" = "true"; then
    compose run --rm ecs.web migrate
fi
