#!/bin/bash
# create-internal-user.sh EMAIL "FIRST" "LAST" f|m: an internal (office) user of the ECS.
set -eu
if test "$#" -ne 4; then
    echo "usage: $0 email 'first name' 'last name' f|m" >&2
    exit 3
fi
exec docker-compose -p ecs -f /app/etc/ecs/docker-compose.yml exec -T ecs.web \
    /app/env/bin/python /app/ecs/manage.py create_internal_user "$1" -f "$2" -l "$3" -g "$4"
