#!/bin/bash
# prepare-storage.sh (states/storage; managed by brine): the data layout of the manual (6.4/6.5).
# 1. each filesystem the env does not ignore (appliance:storage:ignore) is mounted on /data or
#    /volatile (data.mount, volatile.mount; the filesystem labelled ecs-data / ecs-volatile); what
#    was on the root filesystem at that path is copied onto it first, once
# 2. the directories and links of the manual: /var/lib/postgresql -> /data/postgresql,
#    /var/lib/docker -> /volatile/docker, /app/etc -> /data/etc, /app/ecs-{ca,gpg,storage-vault}
#    -> /data/..., /app/ecs-cache -> /volatile/ecs-cache. Existing data is moved once: the services
#    that use it are stopped, it is copied next to its new place, renamed into place, and only then
#    is the old directory replaced by the link; a second run changes nothing. A path that is a mount
#    point of its own is left where it is; when both sides hold data nothing is moved (exit 1).
# --check: exit 0 when there is nothing to do. /etc/appliance/storage.conf says which filesystems
# to mount (MOUNT_PARTS="data volatile"; states/storage writes it from the env).
set -euo pipefail
MOUNT_PARTS=""
. /etc/appliance/storage.conf
# source target services-to-stop (comma separated)
RELOCATE="
/var/lib/postgresql /data/postgresql postgresql.service
/app/etc /data/etc -
/app/ecs-ca /data/ecs-ca appliance.service
/app/ecs-gpg /data/ecs-gpg appliance.service
/app/ecs-storage-vault /data/ecs-storage-vault appliance.service
/var/lib/docker /volatile/docker appliance.service,docker.service,docker.socket
/app/ecs-cache /volatile/ecs-cache appliance.service
"
check=false
test "${1:-}" = "--check" && check=true
stopped=()

log() { echo "prepare-storage: $*"; }
die() { echo "prepare-storage: $*" >&2; restart_stopped; exit 1; }
# empty: nothing in it but a new filesystem's lost+found
is_empty() { test -z "$(find "$1" -mindepth 1 -maxdepth 1 ! -name lost+found -print -quit 2>/dev/null)"; }

stop_services() {
    local u
    for u in ${1//,/ }; do
        test "$u" = "-" && continue
        if systemctl is-active --quiet "$u"; then
            log "stopping $u"
            systemctl stop "$u"
            stopped+=("$u")
        fi
    done
}
restart_stopped() {
    local i
    # in reverse: what was stopped last (docker) starts first
    for ((i = ${#stopped[@]} - 1; i >= 0; i--)); do
        log "starting ${stopped[$i]}"
        systemctl start --no-block "${stopped[$i]}" || true
    done
    stopped=()
}

wait_for_label() {
    # udev makes /dev/disk/by-label/LABEL shortly after mkfs; wait for it a little
    local link=/dev/disk/by-label/$1 i
    command -v udevadm >/dev/null && udevadm settle --timeout=10 2>/dev/null || true
    for i in $(seq 50); do test -e "$link" && return 0; sleep 0.2; done
    return 1
}

mount_part() {
    local part=$1 label=ecs-$1 tmp
    mountpoint -q "/$part" && return 0
    $check && return 1
    wait_for_label "$label" || die "no filesystem labelled $label (create it: appliance:storage:setup," \
        "or mkfs.ext4 -L $label DEVICE; or set appliance:storage:ignore:$part: true)"
    mkdir -p "/$part"
    if ! is_empty "/$part"; then
        # the data that is on the root filesystem at /PART goes onto the new filesystem, once
        log "/$part holds data on the root filesystem: copying it onto $label"
        stop_services appliance.service,postgresql.service,docker.service,docker.socket
        tmp=/run/prepare-storage/$part
        mkdir -p "$tmp"
        mount "/dev/disk/by-label/$label" "$tmp"
        if ! is_empty "$tmp"; then
            umount "$tmp"
            die "both /$part (root filesystem) and $label hold data; nothing moved, merge them by hand"
        fi
        if ! cp -a "/$part/." "$tmp/"; then
            umount "$tmp"
            die "copying /$part onto $label failed; /$part is unchanged"
        fi
        sync
        umount "$tmp"
        find "/$part" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    fi
    log "mounting $label on /$part"
    systemctl daemon-reload
    systemctl start "$part.mount"
    mountpoint -q "/$part" || die "$part.mount did not mount /$part"
}

relocate() {
    local src=$1 dst=$2 services=$3
    if test -L "$src"; then
        test "$(readlink "$src")" = "$dst" && return 0
        $check && return 1
        log "$src: a link to $(readlink "$src"), now to $dst"
        mkdir -p "$dst"
        ln -sfn "$dst" "$src"
        return 0
    fi
    if mountpoint -q "$src" 2>/dev/null; then
        # a mount point of its own (the operator's choice): left where it is
        $check || log "$src is a mount point of its own; left there (not linked to $dst)"
        return 0
    fi
    if test -d "$src" && ! is_empty "$src"; then
        $check && return 1
        if test -d "$dst" && ! is_empty "$dst"; then
            die "both $src and $dst hold data; nothing moved, merge them by hand"
        fi
        log "moving $src to $dst"
        stop_services "$services"
        rm -rf "$dst.relocating"
        mkdir -p "$(dirname "$dst")"
        if ! cp -a "$src" "$dst.relocating"; then
            rm -rf "$dst.relocating"
            die "copying $src to $dst failed; $src is unchanged"
        fi
        sync
        if test -d "$dst"; then rmdir "$dst"; fi
        mv "$dst.relocating" "$dst"
        mv "$src" "$src.relocated"
        ln -s "$dst" "$src"
        rm -rf "$src.relocated"
        return 0
    fi
    $check && return 1
    # nothing there yet (or an empty directory): the link, and the directory it points to
    mkdir -p "$dst" "$(dirname "$src")"
    if test -d "$src"; then rmdir "$src"; fi
    ln -s "$dst" "$src"
}

for part in $MOUNT_PARTS; do
    mount_part "$part" || exit 1
done
mkdir_or_check() {
    test -d "$1" && return 0
    $check && return 1
    mkdir -p "$1"
}
while read -r src dst services; do
    test -n "$src" || continue
    mkdir_or_check "$dst" || exit 1
    relocate "$src" "$dst" "$services" || exit 1
done <<<"$RELOCATE"
restart_stopped
exit 0
