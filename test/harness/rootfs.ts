// The pristine Debian 12 rootfs and the test client key, built once and cached for every run.
// A lock (flock) around the one-time debootstrap lets several test files and engineers start
// targets at the same time.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const CACHE_DIR = process.env.BRINE_TEST_CACHE ?? '/var/cache/brine-test';
export const PRISTINE = join(CACHE_DIR, 'bookworm');
export const CLIENT_KEY = join(CACHE_DIR, 'id_ed25519');
const READY = join(CACHE_DIR, 'bookworm.ready');
const LOCK = join(CACHE_DIR, '.lock');

export const PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'openssh-server',
  'iproute2',
  'sudo',
  'python3',
  'ca-certificates',
  'gnupg',
  'locales',
];

/** Fails with the reason when a tool the harness needs is missing. */
async function need(cmd: string, pkg: string): Promise<void> {
  const r = await execa('sh', ['-c', `command -v ${cmd}`], { reject: false });
  if (r.exitCode !== 0) {
    throw new Error(`test harness: \`${cmd}\` is missing; run scripts/ci.d/20-nspawn.sh (apt-get install ${pkg})`);
  }
}

/** Builds (once) the pristine rootfs and the client key; returns quickly when cached. */
export async function ensurePristine(): Promise<void> {
  if (existsSync(READY) && existsSync(CLIENT_KEY)) return;
  await need('debootstrap', 'debootstrap');
  await need('systemd-nspawn', 'systemd-container');
  await need('ssh-keygen', 'openssh-client');
  mkdirSync(CACHE_DIR, { recursive: true });
  const script =
    `
    set -e
    if [ ! -f "$CLIENT_KEY" ]; then
      rm -f "$CLIENT_KEY" "$CLIENT_KEY.pub"
      ssh-keygen -q -t ed25519 -N '' -C brine-test -f "$CLIENT_KEY"
    fi
    if [ ! -f "$READY" ]; then
      rm -rf "$PRISTINE.tmp"
      debootstrap --variant=minbase --include="$PACKAGES" bookworm "$PRISTINE.tmp" http://deb.debian.org/debian ` +
    `>"$CACHE_DIR/debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE_DIR/debootstrap.log" >&2; exit 1; }
      R="$PRISTINE.tmp"
      mkdir -p "$R/root/.ssh" && chmod 700 "$R/root/.ssh"
      cp "$CLIENT_KEY.pub" "$R/root/.ssh/authorized_keys" && chmod 600 "$R/root/.ssh/authorized_keys"
      rm -f "$R"/etc/ssh/ssh_host_*
      echo 'en_US.UTF-8 UTF-8' > "$R/etc/locale.gen"
      chroot "$R" locale-gen >/dev/null 2>&1 || true
      # no getty on the console, nothing that waits for hardware
      chroot "$R" systemctl mask console-getty.service getty@.service systemd-networkd-wait-online.service ` +
    `>/dev/null 2>&1 || true
      chroot "$R" apt-get clean
      rm -rf "$PRISTINE"
      mv "$PRISTINE.tmp" "$PRISTINE"
      touch "$READY"
    fi`;
  const r = await execa('flock', [LOCK, 'sh', '-c', script], {
    reject: false,
    env: { CLIENT_KEY, READY, PRISTINE, CACHE_DIR, PACKAGES: PACKAGES.join(',') },
  });
  if (r.exitCode !== 0) {
    throw new Error(`test harness: building the Debian 12 rootfs failed: ${r.stderr.trim() || r.stdout.trim()}`);
  }
}
