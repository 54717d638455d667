#!/bin/sh
# brine-unpack (states/brine): installs /usr/local/lib/brine/brine.tar.gz as brine.mjs, states/
# and pillar/ next to it; the new trees replace the old ones with renames.
set -eu
d=/usr/local/lib/brine
n=$(mktemp -d "$d/.new.XXXXXX")
trap 'rm -rf "$n"' EXIT
tar -xzf "$d/brine.tar.gz" -C "$n"
mkdir -p "$n/states/brine/files"
ln -s "$d/brine.tar.gz" "$n/states/brine/files/brine.tar.gz"
for x in states pillar; do
    rm -rf "$d/$x.old"
    if [ -e "$d/$x" ]; then mv "$d/$x" "$d/$x.old"; fi
    mv "$n/$x" "$d/$x"
    rm -rf "$d/$x.old"
done
mv "$n/brine.mjs" "$d/brine.mjs"
