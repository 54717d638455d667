// The appliance's safe defaults (issue 12) on a booted Debian 12 target with dockerd (its own network
// namespace: nginx and stunnel listen on their real ports). One `brine push --sls` of the parts
// concerned (ssh, nginx, stunnel, backup, update, systemd) with an env whose backup URL password
// holds $ " ' ` and a backslash, onto a target that looks like a cloud image (50-cloud-init.conf
// turns sshd passwords on) and an older appliance (the old sshd drop-in name, /data/ecs-ca 0755).
// Then on the running target: sshd -T, nginx's X-Forwarded-For as an echoing upstream gets it,
// /data/ecs-ca, the stunnel process's user, a shell sourcing backup.conf, the backup keyring; a
// second push changes the backup key and sets a bad appliance:update:oncalendar; last, a backup the
// timer missed while the host was off waits for prepare-appliance.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DockerTarget, startDockerTarget } from '../../harness/docker-target.js';
import type { JsonResult, Run } from './helpers.js';
import { pushSls, results } from './sls-push.js';
import { makeTestTree, secretsOf, type TestTree } from './tree.js';
import {
  backupKeyring,
  checkBackupConfUrl,
  checkEcsCaPrivate,
  checkForwardedFor,
  checkSshdDropinWins,
  checkStunnelUnprivileged,
  keyFingerprints,
  plantCloudInitSshd,
  unitTimeUsec,
} from './safe-defaults-checks.js';

const PASSWORD = `pa$s"w'o\`r\\d$(id)`;
const URL = `sftp://backup:${PASSWORD}@backup.example.org/ecs/`;
const BAD_CALENDAR = 'every tuesday-ish';
const SLS = ['ssh', 'nginx', 'stunnel', 'backup', 'update', 'systemd'];

let tree: TestTree;
let target: DockerTarget;
let envA: string;
let envB: string;
let keyA: string;
let keyB: string;
let secrets: string[];

/** `brine push --sls ... --out json` of the test tree with `env` to the target. */
const push = (env: string, sls: string[]): Promise<Run> => pushSls(target, tree, env, sls, 1_100_000);

const failures = (rs: JsonResult[]) => rs.filter((r) => r.result === false).map((r) => `${r.id}: ${r.comment}`);

function expectNothingSecret(run: Run): void {
  const out = run.stdout + run.stderr;
  expect(out.includes(PASSWORD), 'the backup URL password appears in the output').toBe(false);
  for (const s of secrets)
    expect(out.includes(s), `a secret of the test env appears in the output: ${s.slice(0, 12)}...`).toBe(false);
}

async function ok(cmd: string): Promise<string> {
  const r = await target.ssh(cmd);
  if (r.exitCode !== 0)
    throw new Error(`on the target: ${cmd}\nexit ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

beforeAll(async () => {
  tree = makeTestTree();
  const env = parse(readFileSync(tree.env, 'utf8')) as {
    appliance: { backup: { url: string; encrypt: string }; update?: Record<string, unknown> };
    ecs: { vault_sign: string };
  };
  keyA = env.appliance.backup.encrypt;
  keyB = env.ecs.vault_sign; // another valid PGP private key of the test env: the "new" backup key
  expect(keyB).not.toBe(keyA);
  env.appliance.backup.url = URL;
  envA = join(tree.dir, 'env-a.yml');
  writeFileSync(envA, stringify(env));
  env.appliance.backup.encrypt = keyB;
  env.appliance.update = { ...env.appliance.update, oncalendar: BAD_CALENDAR };
  envB = join(tree.dir, 'env-b.yml');
  writeFileSync(envB, stringify(env));
  secrets = secretsOf(readFileSync(tree.env, 'utf8'));
  expect(secrets.length).toBeGreaterThan(20);
  target = await startDockerTarget();
  // a cloud image and an older appliance: sshd drop-ins, the CA directory as it was
  await plantCloudInitSshd(target);
  await ok('mkdir -p /data/ecs-ca && chown 1000:1000 /data/ecs-ca && chmod 0755 /data/ecs-ca');
}, 600_000);

afterAll(async () => {
  await target?.stop();
  tree?.cleanup();
}, 120_000);

describe('appliance safe defaults on a booted Debian 12 target with dockerd', () => {
  it('one push of ssh, nginx, stunnel, backup, update and systemd succeeds; the URL password is never ' +
    'printed', async () => {
    const run = await push(envA, SLS);
    const rs = results(run);
    expect(failures(rs)).toEqual([]);
    expect(run.code).toBe(0);
    expectNothingSecret(run);
  }, 1_200_000);

  it('sshd: the appliance drop-in (00-appliance.conf) wins over 50-cloud-init.conf', async () => {
    await checkSshdDropinWins(target);
  });

  it('nginx gives the application the client address, not the X-Forwarded-For the client sent', async () => {
    // an upstream on the application's port that answers with the request headers it got
    await ok(
      `set -e; cat > /usr/local/sbin/echo-headers <<'EOF'
#!/bin/bash
h=''
while IFS= read -r l; do l="\${l%$'\\r'}"; test -z "$l" && break; h+="$l"$'\\n'; done
printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %s\\r\\n\\r\\n%s' "\${#h}" "$h"
EOF
      chmod 755 /usr/local/sbin/echo-headers
      systemd-run --unit=echo-headers socat TCP-LISTEN:5000,bind=127.0.0.1,fork,reuseaddr ` +
        `EXEC:/usr/local/sbin/echo-headers
      for i in $(seq 50); do ss -ltn | grep -q '127.0.0.1:5000 ' && exit 0; sleep 0.1; done; exit 1`,
    );
    const header = (name: string) => (body: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(body)?.[1] ?? null;
    checkForwardedFor(target, '/xff', header('X-Forwarded-For'));
    checkForwardedFor(target, '/xff', header('X-Real-IP'));
  });

  it('/data/ecs-ca is 0700 (it was 0755), nginx verifies client certificates against it', async () => {
    await checkEcsCaPrivate(target);
  });

  it('stunnel drops root: its processes run as stunnel4 and answer TLS on 465', async () => {
    await checkStunnelUnprivileged(target);
  });

  it('backup.conf: a shell that sources it gets the URL with $ " \' ` and \\ in the password exactly', async () => {
    await checkBackupConfUrl(target, URL);
  });

  it('a changed backup key replaces the old one in the backup keyring; a bad oncalendar is an error naming the ' +
    'key', async () => {
    const [a, b] = [await keyFingerprints(target, keyA), await keyFingerprints(target, keyB)];
    expect(a.length).toBeGreaterThan(0);
    expect(await backupKeyring(target)).toEqual({ pub: a, sec: a });
    const timerBefore = await ok('cat /etc/systemd/system/appliance-update.timer');
    expect(timerBefore).toContain('OnCalendar=*-*-* 06:30:00');

    const run = await push(envB, ['backup', 'update']);
    expectNothingSecret(run);
    expect(run.code).toBe(1);
    // the timer file fails with the key in its message; only the update timer's states depend on it
    const bad = failures(results(run));
    expect(
      bad.map((f) => f.split(':')[0]),
      bad.join('\n'),
    ).toEqual([
      '/etc/systemd/system/appliance-update.timer',
      'appliance_update_timer_reload',
      'appliance-update.timer',
    ]);
    expect(bad[0]).toContain(`appliance:update:oncalendar: '${BAD_CALENDAR}' is not a systemd calendar expression`);
    expect(bad[0]).not.toMatch(/\n\s+at /); // no stack trace
    // the timer keeps its last good schedule; the keyring holds the new key only
    expect(await ok('cat /etc/systemd/system/appliance-update.timer')).toBe(timerBefore);
    expect(await backupKeyring(target)).toEqual({ pub: b, sec: b });
  }, 1_200_000);

  it('a backup the timer missed while the host was off waits for prepare-appliance', async () => {
    // the boot chain's units as installed, their work replaced by a pause (prepare-appliance)
    // and a no-op (prepare-env, the backup); postgresql is not part of this test: a stand-in unit
    await ok(
      `set -e; s=/etc/systemd/system
      for u in prepare-env prepare-appliance appliance-backup; do mkdir -p $s/$u.service.d; done
      printf '[Service]\\nExecStart=\\nExecStart=/bin/true\\n' > $s/prepare-env.service.d/zz-test.conf
      printf '[Service]\\nExecStart=\\nExecStart=/bin/sleep 8\\n' > $s/prepare-appliance.service.d/zz-test.conf
      printf '[Service]\\nExecStart=\\nExecStart=/bin/true\\n' > $s/appliance-backup.service.d/zz-test.conf
      test -e $s/postgresql.service || printf ` +
        `'[Service]\\nType=oneshot\\nRemainAfterExit=yes\\nExecStart=/bin/true\\n' > $s/postgresql.service
      echo 'test: 1' > /run/active-env.yml`,
    );
    /** The timer's last run three days ago, prepare-appliance starting: the timer catches up at once. */
    const race = async () => {
      const mono = async (unit: string) =>
        (await ok(`systemctl show -p ExecMainStartTimestampMonotonic --value ${unit}`)).trim();
      const before = await mono('appliance-backup');
      const jobs = await ok(
        `set -e; systemctl daemon-reload; systemctl stop appliance-backup.timer prepare-appliance
        systemctl reset-failed; mkdir -p /var/lib/systemd/timers
        touch -d '3 days ago' /var/lib/systemd/timers/stamp-appliance-backup.timer
        systemctl start --no-block prepare-appliance.service
        for i in $(seq 50); do test "$(systemctl show -p ActiveState --value prepare-appliance)" = activating && ` +
          `break; sleep 0.1; done
        systemctl start appliance-backup.timer
        for i in $(seq 30); do systemctl list-jobs --no-legend | grep appliance-backup.service && break; sleep 0.1; ` +
          `done || true`,
      );
      // until the backup ran again and both are done
      for (let i = 0; i < 120; i++) {
        const done =
          (await target.ssh("systemctl list-jobs --no-legend | grep -E 'appliance-backup|prepare-appliance'"))
            .exitCode === 1;
        if (done && (await mono('appliance-backup')) !== before) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const usec = (unit: string, prop: string) => unitTimeUsec(target, unit, prop);
      return {
        jobs,
        prepStart: await usec('prepare-appliance', 'ExecMainStartTimestamp'),
        prepEnd: await usec('prepare-appliance', 'ExecMainExitTimestamp'),
        backupStart: await usec('appliance-backup', 'ExecMainStartTimestamp'),
      };
    };
    const r = await race();
    // the backup's start job waited while prepare-appliance ran, and started when it had finished
    expect(r.jobs).toMatch(/appliance-backup\.service\s+start\s+waiting/);
    expect(r.prepEnd - r.prepStart).toBeGreaterThanOrEqual(8_000_000);
    expect(r.backupStart, 'the backup started after prepare-appliance had finished').toBeGreaterThanOrEqual(r.prepEnd);

    // control: without the ordering the same catch-up runs while prepare-appliance still works
    await ok(
      "sed -i 's/ prepare-appliance.service prepare-ecs.service$//' /etc/systemd/system/appliance-backup.service",
    );
    const c = await race();
    // the timer starts once prepare-appliance is activating; its main process may start a few ms after
    // the backup's under load, so only the end is compared
    expect(c.backupStart, 'without After= the backup ran in parallel').toBeLessThan(c.prepEnd);
  }, 180_000);
});
