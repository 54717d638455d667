#!/usr/bin/env bash
# What the env tests need: gpg (env create makes PGP keys; the tests encrypt/decrypt with them),
# blkid/findmnt/losetup/mount (drive sources), mkfs.ext4 for the test drives, bash and
# coreutils' timeout (metadata reads run on the host). Idempotent.
set -euo pipefail
need=()
command -v gpg >/dev/null || need+=(gnupg)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v blkid >/dev/null || need+=(util-linux)
command -v findmnt >/dev/null || need+=(util-linux)
command -v mount >/dev/null || need+=(mount)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# loop devices for the cidata/config-2 test drives
[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
