#!/bin/bash
# prepare-ecs: the ECS images and database schema before the compose project starts.
set -eu
. /usr/local/share/appliance/appliance.include
env_export
cd /app/etc/ecs
if ! docker image inspect ecs/ecs:latest >/dev/null 2>&1; then
    echo "ecs/ecs:latest is missing: build it from the ECS source (ecs:git:source) or load it" >&2
    exit 1
fi
compose build pdfas mocca
if test "${ECS_MIGRATE_AUTO:-true}" = "true"; then
    compose run --rm ecs.web migrate
fi
