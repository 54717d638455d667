#!/bin/bash
# recover-from-backup.sh [--only-restore] --yes-i-am-sure (manual 4.4, states/backup): restore the
# storage vault and the database from the newest backup at $BACKUP_URL, on this appliance with
# the env it was backed up with. Works on a freshly booted appliance: the database the boot
# created is renamed aside (ecs_replaced_DATE), a non-empty storage vault or pgdump directory is
# moved to *-old. Then the appliance starts on the restored data (prepare-ecs migrates it to the
# current ECS). --only-restore: restore the files only, no database import, no start.
set -euo pipefail
usage() {
    echo "usage: $0 [--only-restore] --yes-i-am-sure   (restores $shown_url into /data and the database; stops the appliance)" >&2
    exit 3
}
. /etc/appliance/backup.conf
. /usr/local/share/appliance/appliance.include
# the URL as printed: without its password
shown_url="$(sed -E 's#^([a-z0-9+]+://[^:/@]*):.*@#\1:***@#' <<<"$BACKUP_URL")"
only_restore=false
if test "${1:-}" = "--only-restore"; then only_restore=true; shift; fi
test "${1:-}" = "--yes-i-am-sure" -a "$#" -eq 1 || usage

export GNUPGHOME=/root/.gnupg-backup PASSPHRASE=""  # the backup key has no passphrase
GPG_OPTIONS=(--gpg-options=--trust-model=always)
cd /
mkdir -p -m 0700 "$GNUPGHOME"
eval "$(/usr/local/bin/brine env export appliance --env "$ACTIVE_ENV" --prefix 'export ')"
printf '%s\n' "${APPLIANCE_BACKUP_ENCRYPT:?appliance:backup:encrypt is not set in the env}" | gpg --batch --yes --import 2>/dev/null

echo "recover: stopping the appliance and the backup timer"
systemctl stop appliance.service prepare-ecs.service appliance-backup.timer || true
rm -f /app/etc/tags/last_running_ecs

restore=/data/restore
rm -rf "$restore"
echo "recover: restoring files and the database dump from $shown_url"
# shellcheck disable=SC2086
duplicity restore "${GPG_OPTIONS[@]}" --archive-dir /volatile/duplicity $BACKUP_OPTIONS "$BACKUP_URL" "$restore"
for d in ecs-storage-vault ecs-pgdump; do
    test -d "$restore/$d" || { echo "recover: the backup holds no $d" >&2; exit 1; }
    if test -n "$(find "/data/$d" -mindepth 1 -print -quit 2>/dev/null)"; then
        rm -rf "/data/$d-old"
        mv "/data/$d" "/data/$d-old"
        echo "recover: the previous /data/$d is kept as /data/$d-old"
    else
        rm -rf "/data/$d"
    fi
    mv "$restore/$d" "/data/$d"
done
chown 1000:1000 /data/ecs-storage-vault
rm -rf "$restore"
systemctl start appliance-backup.timer || true
if $only_restore; then
    echo "recover: files restored to /data/ecs-storage-vault and /data/ecs-pgdump (--only-restore: no database import)"
    exit 0
fi

if database_exists; then
    aside="${DATABASE}_replaced_$(date +%Y%m%d%H%M%S)"
    (cd / && runuser -u postgres -- psql -p "$PGPORT" -q -v ON_ERROR_STOP=1 \
        -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DATABASE' AND pid <> pg_backend_pid()" \
        -c "ALTER DATABASE \"$DATABASE\" RENAME TO \"$aside\"") >/dev/null
    echo "recover: the existing database $DATABASE is kept as $aside (drop it when the recovery is confirmed)"
fi
echo "recover: importing the database dump"
(cd / && runuser -u postgres -- createdb -p "$PGPORT" -O app -T template0 -E UTF8 -l de_DE.utf8 "$DATABASE")
(cd / && runuser -u postgres -- pg_restore -p "$PGPORT" -d "$DATABASE" --exit-on-error "/data/ecs-pgdump/$DATABASE.pgdump")
# the restored data may be older than the ECS: prepare-ecs dumps and migrates it at the start
rm -f /app/etc/tags/last_migration_ecs /run/appliance-failed
echo "recover: starting the appliance"
systemctl reset-failed || true
systemctl start appliance.service
echo "recover: recovered from $shown_url"
