#!/bin/bash
# create-client-certificate.sh EMAIL CERT_NAME [DAYS]: a client certificate for a user from the
# ECS CA, written as CERT_NAME.p12 (with its one-time password) into /root.
set -eu
if test "$#" -lt 2; then
    echo "usage: $0 email cert_name [daysvalid]" >&2
    exit 3
fi
days="${3:-7}"
pass="$(openssl rand -base64 15)"
docker-compose -p ecs -f /app/etc/ecs/docker-compose.yml exec -T ecs.web \
    /app/env/bin/python /app/ecs/manage.py create_client_certificate "$1" "$2" "/app/ecs-cache/$2.p12" -p "$pass" -d "$days"
install -m 0600 "/volatile/ecs-cache/$2.p12" "/root/$2.p12"
rm -f "/volatile/ecs-cache/$2.p12"
echo "written /root/$2.p12, password: $pass"
