// The appliance hardened (issue 12) on a booted Debian 12 target with dockerd
// (test/harness/docker-target.ts), pushed with metrics (appliance:metric:exporter/server) and storage
// enabled: two blank loop disks, which appliance:storage:setup partitions and formats as ecs-data
// and ecs-volatile. The env is written as for the original appliance (`standby:` with no value).
// Before the push the target already holds data where the appliance will move it from
// (/data, /var/lib/postgresql, /var/lib/docker, /app/etc). One beforeAll pushes and starts the
// appliance; every `it` checks one point on the running target and leaves it running, so they do
// not depend on each other's order.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerTarget } from '../../harness/docker-target.js';
import { checkMetrics } from './metric-checks.js';
import {
  checkBackupConfUrl,
  checkEcsCaPrivate,
  checkForwardedForAtEcs,
  checkSshdDropinWins,
  checkStunnelUnprivileged,
  plantCloudInitSshd,
} from './safe-defaults-checks.js';
import { applianceHelpers, changed, failures, hostReport, type Run, sleep } from './helpers.js';
import { makeTestTree, PG_PORT, STANDIN_BASE, secretsOf } from './tree.js';

const h = applianceHelpers();
const { push, sh, ok, expectNoSecrets, waitForEcs } = h;
let firstPush: Run;
let envText: string;

/** Markers of data that was on the target before the appliance moved it: path before -> after. */
const MARKERS: Array<[string, string]> = [
  ['/data/brine-test-marker', '/data/brine-test-marker'],
  ['/var/lib/postgresql/brine-test-marker', '/data/postgresql/brine-test-marker'],
  ['/var/lib/docker/brine-test-marker', '/volatile/docker/brine-test-marker'],
  ['/app/etc/brine-test-marker', '/data/etc/brine-test-marker'],
];

/** The test env as the original appliance writes it, with metrics and storage on the target's disks. */
function hardenedEnv(text: string, dataDisk: string, volatileDisk: string): string {
  const storage = [
    '  storage:',
    '    setup:',
    '      parted:',
    `        ${dataDisk}:`,
    '          type: gpt',
    '          parts:',
    '            - name: ecs-data',
    '              start: 1MiB',
    '              end: 100%',
    '      format:',
    `        ${dataDisk}p1:`,
    '          fstype: ext4',
    '          options: -q -L ecs-data',
    `        ${volatileDisk}:`,
    '          fstype: ext4',
    '          options: [-q, -L ecs-volatile]',
    '    ignore:',
    '      volatile: false',
    '      data: false',
  ].join('\n');
  const out = text
    .replace(/^ {2}standby: false$/m, '  standby:')
    .replace(
      /^ {2}metric:\n {4}exporter: false\n {4}server: false$/m,
      '  metric:\n    exporter: true\n    server: true',
    )
    .replace(/^ {2}storage:\n {4}ignore:\n {6}volatile: true\n {6}data: true$/m, storage);
  if (!out.includes('exporter: true') || !out.includes('ecs-volatile') || !/^ {2}standby:$/m.test(out)) {
    throw new Error('hardened.test.ts: the default env changed shape; update hardenedEnv()');
  }
  return out;
}

/** HTTP code and <title> of https://localhost/status on the target (the ECS, or the maintenance page). */
async function page(): Promise<{ code: string; title: string }> {
  const r = await sh(
    "curl -sk -m 5 -o /tmp/page.html -w '%{http_code}' https://localhost/status; echo; sed -n " +
      "'s|.*<title>\\([^<]*\\)</title>.*|\\1|p' /tmp/page.html",
  );
  const [code = '', title = ''] = r.stdout.split('\n');
  return { code: code.trim(), title: title.trim() };
}

beforeAll(async () => {
  h.ctx.tree = makeTestTree();
  const target = await startDockerTarget({ loopDisksMiB: [1024, 3072], dockerOnHost: false });
  h.ctx.target = target;
  const [dataDisk, volatileDisk] = target.disks as [string, string];
  envText = hardenedEnv(readFileSync(h.ctx.tree.env, 'utf8'), dataDisk, volatileDisk);
  writeFileSync(h.ctx.tree.env, envText);
  h.ctx.secrets = secretsOf(envText);
  expect(h.ctx.secrets.length).toBeGreaterThan(20);
  // data that is there before the appliance: it must be moved, never lost
  await ok(MARKERS.map(([before]) => `mkdir -p $(dirname ${before}) && echo ${before} > ${before}`).join(' && '));
  await h.stageStandin();
  // a cloud image's sshd drop-in (PasswordAuthentication yes): the appliance's must win over it
  await plantCloudInitSshd(target);
  firstPush = await push(['--out', 'json'], 1_500_000);
  const rep = hostReport(firstPush);
  expect(failures(rep.results)).toEqual([]);
  expect(firstPush.code).toBe(0);
  // the ECS: the stand-in's base image, the env where the boot chain finds it, the chain started
  await ok('sh -s', { stdin: readFileSync(STANDIN_BASE, 'utf8'), timeoutMs: 300_000 });
  await ok('install -m 0600 /dev/stdin /app/env.yml', { stdin: envText });
  await ok('systemctl start --no-block appliance.service');
  await waitForEcs('standin-1');
}, 2_400_000);

afterAll(async () => {
  await h.ctx.target?.stop();
  h.ctx.tree?.cleanup();
}, 120_000);

describe('the appliance hardened: storage, boot order, env compatibility, maintenance page', () => {
  it('storage:setup partitioned and formatted the blank disks; /data and /volatile are them', async () => {
    const [dataDisk, volatileDisk] = h.ctx.target!.disks as [string, string];
    expect(await ok(`parted -sm ${dataDisk} print`)).toMatch(/^1:1049kB:.*:ext4:ecs-data:;$/m);
    expect(
      (await ok(`blkid -p -s PTTYPE -o value ${dataDisk}; blkid -p -s LABEL -o value ${dataDisk}p1 ${volatileDisk}`))
        .trim()
        .split('\n'),
    ).toEqual(['gpt', 'ecs-data', 'ecs-volatile']);
    expect(
      (await ok('findmnt -n -o SOURCE,FSTYPE /data; findmnt -n -o SOURCE,FSTYPE /volatile'))
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      [`${dataDisk}p1`, 'ext4'],
      [volatileDisk, 'ext4'],
    ]);
    // mounted at boot by their units, which the services that keep data there require
    expect(
      (await ok('systemctl is-enabled data.mount volatile.mount; systemctl is-active data.mount volatile.mount'))
        .trim()
        .split('\n'),
    ).toEqual(['enabled', 'enabled', 'active', 'active']);
    const deps = await ok('systemctl show -p RequiresMountsFor,After postgresql@15-main docker appliance');
    expect(deps).toMatch(/RequiresMountsFor=.*\/data\/postgresql/);
    expect(deps).toMatch(/RequiresMountsFor=.*\/volatile\/docker/);
    expect(deps).toMatch(/RequiresMountsFor=.*\/data\/ecs-storage-vault/);
    expect(deps.match(/^After=.*$/gm)!.filter((l) => /\bdata\.mount\b/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(deps.match(/^After=.*$/gm)!.filter((l) => /\bvolatile\.mount\b/.test(l)).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('data layout (manual 6.4/6.5): the links exist, the services keep their data there, existing data was moved ' +
    'once', async () => {
    const links = await ok(
      'for l in /var/lib/postgresql /var/lib/docker /app/etc /app/ecs-ca /app/ecs-gpg /app/ecs-storage-vault ' +
        '/app/ecs-cache; do echo "$l $(readlink $l)"; done',
    );
    expect(links.trim().split('\n')).toEqual([
      '/var/lib/postgresql /data/postgresql',
      '/var/lib/docker /volatile/docker',
      '/app/etc /data/etc',
      '/app/ecs-ca /data/ecs-ca',
      '/app/ecs-gpg /data/ecs-gpg',
      '/app/ecs-storage-vault /data/ecs-storage-vault',
      '/app/ecs-cache /volatile/ecs-cache',
    ]);
    const pgdata = (await ok(`cd / && runuser -u postgres -- psql -p ${PG_PORT} -Atc 'show data_directory'`)).trim();
    expect((await ok(`findmnt -n -o TARGET -T ${pgdata}; stat -c %U /data/postgresql`)).trim().split('\n')).toEqual([
      '/data',
      'postgres',
    ]);
    const docker = (await ok("docker info -f '{{.DockerRootDir}} {{.Driver}}'")).trim().split(' ');
    expect(docker).toEqual(['/volatile/docker', 'overlay2']);
    expect((await ok('findmnt -n -o TARGET -T /volatile/docker')).trim()).toBe('/volatile');
    // the ECS's files are on /data
    expect(
      (await ok('findmnt -n -o TARGET -T /app/etc/server.cert.pem; findmnt -n -o TARGET -T /app/ecs-gpg'))
        .trim()
        .split('\n'),
    ).toEqual(['/data', '/data']);
    // what was there before: moved, with nothing left behind
    for (const [before, after] of MARKERS) expect((await ok(`cat ${after}`)).trim(), after).toBe(before);
    expect(
      (
        await sh(
          'ls -d /var/lib/*.relocated /data/*.relocating /volatile/*.relocating /app/*.relocated 2>/dev/null | wc -l',
        )
      ).stdout.trim(),
    ).toBe('0');
    // a second run of the mover finds nothing to do
    expect((await sh('/usr/local/share/appliance/prepare-storage.sh --check; echo rc=$?')).stdout.trim()).toBe('rc=0');
    expect((await ok('/usr/local/share/appliance/prepare-storage.sh')).trim()).toBe('');
  }, 120_000);

  it('env compatibility: the env written as the original appliance (standby: with no value) activates and ' +
    'exports', async () => {
    expect(await ok('cat /app/env.yml')).toMatch(/^ {2}standby:$/m);
    const act = await sh('brine env activate --out /tmp/compat-active.yml');
    expect(act.exitCode, act.stderr).toBe(0);
    expect(act.stdout).not.toMatch(/standby/);
    const exp = await sh('brine env export appliance --env /app/env.yml');
    expect(exp.exitCode, exp.stderr).toBe(0);
    expect(exp.stdout).toContain('APPLIANCE_METRIC_SERVER=true');
    expect(exp.stdout).not.toContain('APPLIANCE_STANDBY');
    expectNoSecrets(act.stdout + act.stderr);
  }, 60_000);

  it('boot order: after a reboot /data and /volatile are mounted, postgres and postfix listen on the docker bridge, ' +
    'the ECS is back', async () => {
    await h.ctx.target!.reboot();
    expect((await ok('findmnt -n -o TARGET /data; findmnt -n -o TARGET /volatile')).trim().split('\n')).toEqual([
      '/data',
      '/volatile',
    ]);
    const listen = await ok('ss -Hltnp');
    expect(listen).toMatch(new RegExp(`172\\.17\\.0\\.1:${PG_PORT}\\b.*postgres`));
    expect(listen).toMatch(/172\.17\.0\.1:25\b.*master/);
    // they started after dockerd (which made the bridge) and after their mounts
    const t = await ok(
      'for u in data.mount volatile.mount docker postgresql@15-main postfix@-; do systemctl show -p ' +
        'ActiveEnterTimestampMonotonic --value $u; done',
    );
    const [data, volatile, dockerd, pg, postfix] = t.trim().split('\n').map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    expect(pg).toBeGreaterThan(dockerd);
    expect(postfix).toBeGreaterThan(dockerd);
    expect(pg).toBeGreaterThan(data);
    expect(dockerd).toBeGreaterThan(volatile);
    // the containers reach the database over the bridge: the ECS comes up
    await waitForEcs('standin-1');
    expect(await page()).toMatchObject({ code: '200' });
  }, 900_000);

  it('maintenance page: progress during prepare, cleared when the ECS is up; "Appliance Error" does not stay after ' +
    'recovery', async () => {
    await waitForEcs('standin-1');
    // a restart of the boot chain: the page says what happens, then the ECS answers again
    await ok('systemctl restart --no-block appliance.service');
    const seen = new Set<string>();
    const deadline = Date.now() + 600_000;
    for (;;) {
      const p = await page();
      if (p.code === '503') seen.add(p.title);
      if (
        seen.size > 0 &&
        p.code === '200' &&
        (await sh('systemctl is-active appliance.service')).stdout.trim() === 'active'
      )
        break;
      if (Date.now() > deadline) throw new Error(`the ECS did not come back; pages seen: ${[...seen].join(', ')}`);
      await sleep(300);
    }
    expect([...seen]).toContain('Appliance Startup');
    expect((await sh('test -e /run/appliance-maintenance && echo on || echo off')).stdout.trim()).toBe('off');
    const log = await ok(
      'journalctl -u prepare-env -u prepare-appliance -u prepare-ecs -u appliance -o cat --no-pager -n 3000',
    );
    expect(log).toMatch(/appliance status: Appliance Startup: Configuring the host/);
    expect(log).toMatch(/appliance status: up \(maintenance page cleared\)/);

    // a failing boot chain shows "Appliance Error" ...
    await ok('sed -i \'s|^  domain: localhost|  domain: "not a domain"|\' /app/env.yml');
    await sh(
      'systemctl stop appliance.service prepare-ecs prepare-appliance prepare-env; rm -f /run/active-env.yml; ' +
        'systemctl start prepare-appliance.service',
    );
    let error = { code: '', title: '' };
    for (let i = 0; i < 60 && error.title !== 'Appliance Error'; i++) {
      error = await page();
      if (error.title !== 'Appliance Error') await sleep(500);
    }
    expect(error).toEqual({ code: '503', title: 'Appliance Error' });
    // ... until the operator recovers as the page says: then the ECS page, not the error
    await ok('install -m 0600 /dev/stdin /app/env.yml', { stdin: envText });
    await ok('rm -f /run/appliance-failed; systemctl reset-failed; systemctl start --no-block appliance.service');
    await waitForEcs('standin-1');
    expect(await page()).toMatchObject({ code: '200' });
    expect(await ok('cat /var/www/html/503.html')).not.toContain('Appliance Error');
  }, 1_200_000);

  it('safe defaults: sshd drop-in first, client address from nginx, /data/ecs-ca private, stunnel unprivileged, ' +
    'backup.conf', async () => {
    const t = h.ctx.target!;
    await checkSshdDropinWins(t);
    checkForwardedForAtEcs(t);
    await checkEcsCaPrivate(t);
    await checkStunnelUnprivileged(t);
    const url = /^ {2}backup:\n {4}url: (\S+)$/m.exec(envText)?.[1];
    expect(url, 'appliance:backup:url in the test env').toBeTruthy();
    await checkBackupConfUrl(t, url!);
  }, 300_000);

  it('metrics and alerts: exporters on localhost only, every target scraped, rules loaded, a failed backup mails ' +
    'root', async () => {
    await checkMetrics(h.ctx.target!);
  }, 600_000);

  it('a second push changes nothing', async () => {
    const run = await push(['--out', 'json']);
    const rep = hostReport(run);
    expect(failures(rep.results)).toEqual([]);
    expect(changed(rep.results)).toEqual([]);
    expect(run.code).toBe(0);
    expectNoSecrets(run.stdout + run.stderr + firstPush.stdout + firstPush.stderr);
  }, 600_000);
});
