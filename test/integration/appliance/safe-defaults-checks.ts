// Checks of the appliance's safe defaults (issue 12) on a running target, shared by the focused test
// (safe-defaults.test.ts) and the full appliance push test: each throws (through expect) with what
// it found when the target is not as the states promise.
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import type { DockerTarget } from '../../harness/docker-target.js';

export type SafeTarget = Pick<DockerTarget, 'ssh' | 'ip' | 'hostIp'>;

/** An address from the documentation range that a client forges as its X-Forwarded-For. */
export const FORGED_XFF = '203.0.113.66';

async function ok(t: SafeTarget, cmd: string, stdin?: string): Promise<string> {
  const r = await t.ssh(cmd, stdin === undefined ? undefined : { stdin });
  if (r.exitCode !== 0)
    throw new Error(`on the target: ${cmd}\nexit ${r.exitCode}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/**
 * Before the push: a cloud image's sshd drop-in that turns passwords on (cloud-init writes
 * 50-cloud-init.conf), and the appliance's drop-in under its old name, which sorts after it and
 * loses (checked: sshd -T shows passwords on).
 */
export async function plantCloudInitSshd(t: SafeTarget): Promise<void> {
  await ok(
    t,
    `set -e; d=/etc/ssh/sshd_config.d
    printf 'PasswordAuthentication yes\\n' > $d/50-cloud-init.conf
    printf 'UseDNS no\\nPasswordAuthentication no\\nPermitRootLogin prohibit-password\\n' > $d/appliance.conf
    sshd -T | grep -ix 'passwordauthentication yes'`,
  );
}

/** After the push: sshd -T shows the appliance's values although 50-cloud-init.conf says otherwise. */
export async function checkSshdDropinWins(t: SafeTarget): Promise<void> {
  const conf = (await ok(t, 'sshd -T')).toLowerCase().split('\n');
  expect(conf).toContain('passwordauthentication no');
  expect(conf).toContain('permitrootlogin without-password'); // sshd -T's name for prohibit-password
  expect(conf).toContain('usedns no');
  expect(await ok(t, 'ls /etc/ssh/sshd_config.d')).toMatch(/^00-appliance\.conf\n(?:.*\n)*50-cloud-init\.conf\n/);
  // the old name is gone, the running sshd has the config (this login is by key)
  expect((await t.ssh('test -e /etc/ssh/sshd_config.d/appliance.conf')).exitCode).toBe(1);
  expect((await ok(t, 'systemctl is-active ssh')).trim()).toBe('active');
}

/**
 * nginx replaces a client's X-Forwarded-For with the client's address ($remote_addr): `seen(body)`
 * picks the X-Forwarded-For the application got from the answer to `path` (https, from this host).
 */
export function checkForwardedFor(t: SafeTarget, path: string, seen: (body: string) => string | null): void {
  const body = execFileSync(
    'curl',
    ['-sk', '-m', '20', '-H', `X-Forwarded-For: ${FORGED_XFF}`, `https://${t.ip}${path}`],
    { encoding: 'utf8' },
  );
  expect(body).not.toContain(FORGED_XFF);
  expect(seen(body), body).toBe(t.hostIp);
}

/** The full appliance: the ECS stand-in's /status reports the X-Forwarded-For it got. */
export function checkForwardedForAtEcs(t: SafeTarget): void {
  checkForwardedFor(t, '/status', (b) => (JSON.parse(b) as { forwarded_for: string | null }).forwarded_for);
}

/** The client-certificate CA is for the containers' user alone; nginx still verifies against it. */
export async function checkEcsCaPrivate(t: SafeTarget): Promise<void> {
  expect((await ok(t, 'stat -c "%a %u %g" /data/ecs-ca')).trim()).toBe('700 1000 1000');
  expect((await ok(t, 'ls /data/ecs-ca')).split('\n')).toEqual(expect.arrayContaining(['ca.cert.pem', 'crl.pem']));
  expect((await ok(t, 'systemctl is-active nginx')).trim()).toBe('active');
}

/** stunnel runs as stunnel4 (no process of it as root) and still answers TLS on 465. */
export async function checkStunnelUnprivileged(t: SafeTarget): Promise<void> {
  const pid = (await ok(t, 'systemctl show -p MainPID --value stunnel')).trim();
  expect(Number(pid)).toBeGreaterThan(0);
  expect((await ok(t, `ps -o user= -p ${pid}`)).trim()).toBe('stunnel4');
  const users = (await ok(t, `ps -o user= --ppid ${pid} --pid ${pid}`)).trim().split(/\s+/);
  expect(new Set(users)).toEqual(new Set(['stunnel4']));
  const hello = execFileSync('sh', ['-c', `echo | timeout 20 openssl s_client -connect ${t.ip}:465 2>&1 || true`], {
    encoding: 'utf8',
  });
  expect(hello).toContain('-----BEGIN CERTIFICATE-----');
}

/** A shell that sources backup.conf (bash, as the backup scripts, and sh) gets exactly `url`. */
export async function checkBackupConfUrl(t: SafeTarget, url: string): Promise<void> {
  expect((await ok(t, 'stat -c %a /etc/appliance/backup.conf')).trim()).toBe('600');
  for (const shell of ['bash', 'sh']) {
    const got = await ok(t, `${shell} -c '. /etc/appliance/backup.conf && printf %s "$BACKUP_URL"'`);
    expect(got, `${shell} sourcing backup.conf`).toBe(url);
  }
}

/** Fingerprints (primary and subkeys) of an armoured key, read on the target without importing it. */
export async function keyFingerprints(t: SafeTarget, armoured: string): Promise<string[]> {
  const out = await ok(
    t,
    `h=$(mktemp -d); gpg --homedir "$h" --batch --with-colons --import-options show-only --import 2>/dev/null
    rm -rf "$h"`,
    armoured,
  );
  return fprs(out);
}

/** Fingerprints of the public and of the secret keys in the backup keyring. */
export async function backupKeyring(t: SafeTarget): Promise<{ pub: string[]; sec: string[] }> {
  const g = 'gpg --homedir /root/.gnupg-backup --batch --with-colons';
  return { pub: fprs(await ok(t, `${g} --list-keys`)), sec: fprs(await ok(t, `${g} --list-secret-keys`)) };
}

function fprs(colons: string): string[] {
  return colons
    .split('\n')
    .filter((l) => l.startsWith('fpr:'))
    .map((l) => l.split(':')[9]!)
    .sort();
}

/** Microseconds since the epoch of a unit's timestamp property (`Wed 2026-12-02 09:53:03.123456 UTC`). */
export async function unitTimeUsec(t: SafeTarget, unit: string, prop: string): Promise<number> {
  const v = (await ok(t, `systemctl show --timestamp=us+utc -p ${prop} --value ${unit}`)).trim();
  const m = /(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6}) UTC/.exec(v);
  if (!m) throw new Error(`${unit} ${prop}: no timestamp (${JSON.stringify(v)})`);
  return Date.parse(`${m[1]}T${m[2]}Z`) * 1000 + Number(m[3]);
}

/**
 * Before a reboot of the full appliance: the backup timer's last run three days ago, so the timer
 * (Persistent=true) catches up on it during the boot.
 */
export async function primeMissedBackup(t: SafeTarget): Promise<void> {
  await ok(
    t,
    "mkdir -p /var/lib/systemd/timers && touch -d '3 days ago' /var/lib/systemd/timers/stamp-appliance-backup.timer",
  );
}

/**
 * After that reboot, once the appliance is up: the caught-up backup started only after the boot
 * chain (prepare-appliance, prepare-ecs) had finished. Waits up to `timeoutMs` for it to start.
 */
export async function checkMissedBackupAfterBootChain(t: SafeTarget, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = (await ok(t, 'systemctl show -p ExecMainStartTimestampMonotonic --value appliance-backup')).trim();
    if (v !== '' && v !== '0') break;
    if (Date.now() > deadline) throw new Error('the backup the timer missed did not start after the boot');
    await new Promise((r) => setTimeout(r, 2000));
  }
  const backupStart = await unitTimeUsec(t, 'appliance-backup', 'ExecMainStartTimestamp');
  expect(backupStart).toBeGreaterThanOrEqual(await unitTimeUsec(t, 'prepare-appliance', 'ExecMainExitTimestamp'));
  expect(backupStart).toBeGreaterThanOrEqual(await unitTimeUsec(t, 'prepare-ecs', 'ExecMainExitTimestamp'));
}
