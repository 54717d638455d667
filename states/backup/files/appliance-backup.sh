#!/bin/bash
# appliance-backup.sh (states/backup): /data to $BACKUP_URL with duplicity, encrypted to the env's
# backup key. Refuses to run when the database is missing or the storage vault is empty.
set -euo pipefail
. /etc/appliance/backup.conf
export GNUPGHOME=/root/.gnupg-backup
GPG_OPTIONS=(--gpg-options=--trust-model=always)
export PASSPHRASE=""  # the backup key has no passphrase
cd /
mkdir -p -m 0700 "$GNUPGHOME"

if ! runuser -u postgres -- psql -p "$PGPORT" -Atqc "select 1 from pg_database where datname='$DATABASE'" | grep -q 1; then
    echo "backup refused: database $DATABASE does not exist" >&2; exit 1
fi
if test -z "$(find /data/ecs-storage-vault -mindepth 1 -print -quit 2>/dev/null)"; then
    echo "backup refused: /data/ecs-storage-vault is empty" >&2; exit 1
fi

# the keyring holds exactly the env's backup key (appliance:backup:encrypt, staged by the highstate;
# a changed key replaced the old one): encrypt to it
keyring=(/usr/local/share/appliance/sync-keyring.sh --home "$GNUPGHOME"
    /etc/appliance/backup-key.asc=appliance:backup:encrypt)
"${keyring[@]}" --check || "${keyring[@]}" ||
    { echo "backup refused: no usable backup key (appliance:backup:encrypt)" >&2; exit 1; }
fpr="$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr:/ {print $10; exit}')"

mkdir -p /data/ecs-pgdump
runuser -u postgres -- pg_dump -p "$PGPORT" --format=custom "$DATABASE" > /data/ecs-pgdump/"$DATABASE".pgdump.new
mv /data/ecs-pgdump/"$DATABASE".pgdump.new /data/ecs-pgdump/"$DATABASE".pgdump

# shellcheck disable=SC2086
duplicity "${GPG_OPTIONS[@]}" --encrypt-key "$fpr" --full-if-older-than "$FULL_IF_OLDER_THAN" --archive-dir /volatile/duplicity \
    $BACKUP_OPTIONS --include /data/ecs-storage-vault --include /data/ecs-pgdump --exclude '**' /data "$BACKUP_URL"
duplicity remove-older-than "$REMOVE_OLDER_THAN" --force "${GPG_OPTIONS[@]}" --archive-dir /volatile/duplicity $BACKUP_OPTIONS "$BACKUP_URL"
