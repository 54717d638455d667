#!/bin/bash
# recover-from-backup.sh [--yes]: restore /data/ecs-storage-vault and the database from the newest
# backup at $BACKUP_URL (states/backup). Stops the appliance first; the database must not exist.
set -euo pipefail
. /etc/appliance/backup.conf
export GNUPGHOME=/root/.gnupg-backup
GPG_OPTIONS=(--gpg-options=--trust-model=always)
export PASSPHRASE=""  # the backup key has no passphrase
cd /
mkdir -p -m 0700 "$GNUPGHOME"
if test "${1:-}" != "--yes"; then
    echo "usage: $0 --yes   (restores $BACKUP_URL into /data; the appliance is stopped)" >&2; exit 3
fi
eval "$(/usr/local/bin/brine env export appliance --prefix 'export ')"
printf '%s\n' "${APPLIANCE_BACKUP_ENCRYPT:?appliance:backup:encrypt is not set}" | gpg --batch --yes --import 2>/dev/null
systemctl stop appliance.service || true
if runuser -u postgres -- psql -p "$PGPORT" -Atqc "select 1 from pg_database where datname='$DATABASE'" | grep -q 1; then
    echo "recover refused: database $DATABASE exists; drop it first" >&2; exit 1
fi
restore="$(mktemp -d /volatile/restore.XXXXXX)"
# shellcheck disable=SC2086
duplicity restore "${GPG_OPTIONS[@]}" --archive-dir /volatile/duplicity $BACKUP_OPTIONS "$BACKUP_URL" "$restore"
rsync -a --delete "$restore/ecs-storage-vault/" /data/ecs-storage-vault/
runuser -u postgres -- createdb -p "$PGPORT" -O app -T template0 -l de_DE.utf8 "$DATABASE"
runuser -u postgres -- pg_restore -p "$PGPORT" -d "$DATABASE" --exit-on-error "$restore/ecs-pgdump/$DATABASE.pgdump"
rm -rf "$restore"
echo "recovered from $BACKUP_URL; start the appliance: systemctl start appliance"
