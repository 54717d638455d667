#!/bin/bash
# prepare-ecs (boot chain, after prepare-appliance checked out /app/ecs): build the ECS image from
# the checkout's Dockerfile when the source changed, then the database: the first start migrates
# and bootstraps; a new image dumps the database to /data/ecs-pgdump before migrating
# (ecs:migrate:auto: false leaves that to the operator); otherwise bootstrap only.
set -uo pipefail
. /usr/local/share/appliance/appliance.include
env_export
tags=/app/etc/tags
cd /app/etc/ecs || appliance_failed "Appliance Error" "/app/etc/ecs is missing"

# the app role gets a random password once; the containers read it from database_url.env
if grep -q '^DATABASE_URL=postgres://app:invalid@' database_url.env; then
    pass="$(openssl rand -hex 24)"
    psql_db "ALTER ROLE app WITH PASSWORD '$pass'" >/dev/null || appliance_failed "Appliance Error" "could not set the password of role app"
    sed -i "s|^DATABASE_URL=postgres://app:invalid@|DATABASE_URL=postgres://app:$pass@|" database_url.env
fi

# ### the image
target="$(git -C /app/ecs rev-parse HEAD 2>/dev/null)" ||
    appliance_failed "Appliance Error" "no ECS source in /app/ecs (ecs:git:source)"
last_build="$(cat "$tags/last_build_ecs" 2>/dev/null || echo invalid)"
have_image=false
docker image inspect ecs/ecs:latest >/dev/null 2>&1 && have_image=true
if test -e /app/etc/flags/force.update.ecs -o "$target" != "$last_build" -o "$have_image" = false; then
    rm -f /app/etc/flags/force.update.ecs
    appliance_status "Appliance Update" "Building ECS $target (last build: $last_build)"
    if docker build --pull=false -t ecs/ecs:latest /app/ecs; then
        printf '%s\n' "$target" > "$tags/last_build_ecs"
        appliance_status "Appliance Update" "ECS build complete, starting ECS"
    elif $have_image; then
        printf '%s\n' "$target" > "$tags/last_failed_build_ecs"
        appliance_status "Appliance Update" "ECS build $target failed, restarting the old image ($last_build)"
        echo "ECS build $target failed: keeping the previous image ($last_build)" >&2
    else
        appliance_failed "Appliance Error" "ECS build $target failed and no old build found, standby"
    fi
else
    echo "ECS $target is built already, skipping the build"
fi
for s in $ECS_BUILDS; do
    compose build "$s" || appliance_failed "Appliance Error" "building $s failed"
done

# ### the database (created by prepare-appliance's highstate: role app, database, extensions)
database_exists || appliance_failed "Appliance Error" "no database $ECS_DATABASE"
image="$(docker image inspect -f '{{.Id}}' ecs/ecs:latest)"
last_migration="$(cat "$tags/last_migration_ecs" 2>/dev/null || echo invalid)"
migrated="$(psql_db "select to_regclass('public.django_migrations') is not null")"
if test "$migrated" != "t"; then
    appliance_status "Appliance Update" "Creating the ECS database (migrate, bootstrap)"
    compose run --rm --no-deps ecs.web migrate || appliance_failed "Appliance Error" "Migration Error (first start)"
    printf '%s\n' "$image" > "$tags/last_migration_ecs"
elif test "$image" != "$last_migration"; then
    if test "${ECS_MIGRATE_AUTO:-true}" = "true"; then
        compose stop -t 20 || true
        appliance_status "Appliance Update" "Dumping database $ECS_DATABASE before migrating"
        database_dump "/data/ecs-pgdump/$ECS_DATABASE-migrate.pgdump" ||
            appliance_failed "Appliance Error" "Could not pgdump database $ECS_DATABASE before starting migration"
        appliance_status "Appliance Update" "Migrating the ECS database"
        compose run --rm --no-deps ecs.web migrate || appliance_failed "Appliance Error" "Migration Error"
        printf '%s\n' "$image" > "$tags/last_migration_ecs"
    else
        echo "ecs:migrate:auto is false: not migrating for image $image; to migrate by hand: dump the database, then" \
            "docker-compose -p ecs -f /app/etc/ecs/docker-compose.yml run --rm --no-deps ecs.web migrate" >&2
        compose run --rm --no-deps ecs.web run ./manage.py bootstrap || appliance_failed "Appliance Error" "Bootstrap Error"
    fi
else
    appliance_status "Appliance Update" "Running ECS bootstrap"
    compose run --rm --no-deps ecs.web run ./manage.py bootstrap || appliance_failed "Appliance Error" "Bootstrap Error"
fi
exit 0
