#!/bin/bash
# sync-keyring.sh [--check] --home DIR [--owner UID:GID] KEYFILE=ENVKEY... (states/appliance/keyring.sls)
# The gpg home DIR holds exactly the secret keys of the KEYFILEs (ASCII-armoured PGP private keys,
# staged root-only from the env's ENVKEY), so a changed key is the one used and an old one leaves
# the keyring. Used for the backup key (/root/.gnupg-backup) and the storage vault's keys
# (/data/ecs-gpg, the containers' user).
# --check: exit 0 when DIR holds exactly those keys, is 0700 and owned by UID:GID (default 0:0).
# Otherwise DIR is emptied, the keys imported, and DIR made 0700 and owned by UID:GID.
set -euo pipefail
check=false home='' owner=0:0
files=() envkeys=()
while test $# -gt 0; do
    case "$1" in
        --check) check=true ;;
        --home) home="$2"; shift ;;
        --owner) owner="$2"; shift ;;
        -*) echo "sync-keyring: unknown option $1" >&2; exit 2 ;;
        *=*) files+=("${1%%=*}"); envkeys+=("${1#*=}") ;;
        *) echo "sync-keyring: $1: expected KEYFILE=ENVKEY" >&2; exit 2 ;;
    esac
    shift
done
if test -z "$home" || test ${#files[@]} -eq 0; then
    echo "usage: sync-keyring.sh [--check] --home DIR [--owner UID:GID] KEYFILE=ENVKEY..." >&2
    exit 2
fi
# fingerprints and keygrips, of the key files and of the keyring's secret keys (no gpg-agent is
# started for reading)
wanted() {
    gpg --homedir "$tmp" --batch --with-colons --with-keygrip --import-options show-only \
        --import "${files[@]}" 2>/dev/null |
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
if $check; then
    w="$(wanted)"
    test -n "$w" && test "$w" = "$(present)" && test "$(stat -c '%a %u:%g' "$home")" = "700 $owner"
    exit
fi
for i in "${!files[@]}"; do
    grep -q 'BEGIN PGP PRIVATE KEY BLOCK' "${files[$i]}" ||
        { echo "sync-keyring: ${files[$i]} holds no PGP private key (${envkeys[$i]}: set it in the env)" >&2; exit 1; }
done
mkdir -p "$home"
gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true
find "$home" -mindepth 1 -delete
chmod 0700 "$home"
for f in "${files[@]}"; do
    gpg --homedir "$home" --batch --yes --import "$f" 2>&1 | grep -v '^gpg: key .*: secret key imported' || true
done
gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true
rm -f "$home"/S.gpg-agent*
chown -R "$owner" "$home"
test "$(wanted)" = "$(present)" || { echo "sync-keyring: importing ${files[*]} into $home failed" >&2; exit 1; }
echo "sync-keyring: $(present | grep -c "^fpr") keys in $home"
