#!/bin/bash
# import-backup-key.sh [--check] (states/backup): the backup keyring /root/.gnupg-backup holds
# exactly the key of /etc/appliance/backup-key.asc (the env's appliance:backup:encrypt), so a
# changed key is the one duplicity encrypts to and the old one leaves the keyring.
# --check: exit 0 when it does. Otherwise the keyring is emptied and the key imported.
set -euo pipefail
home=/root/.gnupg-backup
key=/etc/appliance/backup-key.asc
# fingerprints and keygrips (no gpg-agent is started for reading)
wanted() {
    gpg --homedir "$tmp" --batch --with-colons --with-keygrip --import-options show-only --import "$key" 2>/dev/null |
        awk -F: '$1 == "fpr" || $1 == "grp" {print $1, $10}' | sort -u
}
present() {
    gpg --homedir "$home" --batch --with-colons --with-keygrip --list-keys 2>/dev/null |
        awk -F: '$1 == "fpr" || $1 == "grp" {print $1, $10}' | sort -u |
        while read -r t v; do
            if test "$t" = fpr -o -e "$home/private-keys-v1.d/$v.key"; then echo "$t $v"; fi
        done
}
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if test "${1:-}" = "--check"; then
    w="$(wanted)"
    test -n "$w" && test "$w" = "$(present)" && test "$(stat -c '%a' "$home")" = "700"
    exit
fi
grep -q 'BEGIN PGP PRIVATE KEY BLOCK' "$key" ||
    { echo "import-backup-key: $key holds no PGP private key (appliance:backup:encrypt: set it in the env)" >&2; exit 1; }
mkdir -p "$home"
gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true
find "$home" -mindepth 1 -delete
chmod 0700 "$home"
gpg --homedir "$home" --batch --yes --import "$key" 2>&1 | grep -v '^gpg: key .*: secret key imported' || true
gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true
rm -f "$home"/S.gpg-agent*
test "$(wanted)" = "$(present)" || { echo "import-backup-key: importing $key into $home failed" >&2; exit 1; }
echo "import-backup-key: $(present | grep -c "^fpr") keys in $home"
