#!/bin/bash
# import-vault-keys.sh [--check] (states/ecs): the storage vault keyring /data/ecs-gpg holds
# exactly the secret keys of /app/etc/ecs/vault/*.asc (the env's ecs:vault_encrypt/vault_sign).
# --check: exit 0 when it does. Otherwise the keyring is emptied and the keys imported, owned by
# the containers' user (1000), mode 0700.
set -euo pipefail
home=/data/ecs-gpg
keys=(/app/etc/ecs/vault/vault_encrypt.asc /app/etc/ecs/vault/vault_sign.asc)
# fingerprints and keygrips of the keys (no gpg-agent is started for reading)
wanted() {
    cat "${keys[@]}" | gpg --homedir "$tmp" --batch --with-colons --with-keygrip --import-options show-only --import 2>/dev/null |
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
    test -n "$w" && test "$w" = "$(present)" && test "$(stat -c '%a %u' "$home")" = "700 1000"
    exit
fi
for k in "${keys[@]}"; do
    grep -q 'BEGIN PGP PRIVATE KEY BLOCK' "$k" || { echo "import-vault-keys: $k holds no PGP private key (ecs:${k##*/}: set it in the env)" >&2; exit 1; }
done
gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true
find "$home" -mindepth 1 -delete
for k in "${keys[@]}"; do
    gpg --homedir "$home" --batch --yes --import "$k" 2>&1 | grep -v '^gpg: key .*: secret key imported' || true
done
gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true
rm -f "$home"/S.gpg-agent*
chown -R 1000:1000 "$home"
chmod 0700 "$home"
echo "import-vault-keys: $(present | grep -c "^fpr") keys in $home"
