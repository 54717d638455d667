// State functions Salt formulas use, on a booted Debian 12 target with systemd (nspawn, over SSH):
// sysctl.present where /proc/sys is read-only (a container), cron.present/absent with the real
// crontab, module.run service.restart. Dry run first (exact), then the real run, then no change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, bootTarget, runSls, statesTree, summary } from './target.js';

let b: Booted;
let tree: ReturnType<typeof statesTree>;

const SLS = {
  'sysctl.sls': `vm.swappiness:
  sysctl.present:
    - value: 17
`,
  'cron.sls': `cron:
  pkg.installed: []

nightly:
  cron.present:
    - name: /usr/local/bin/nightly --all
    - identifier: nightly
    - comment: the nightly job
    - minute: 30
    - hour: 2
    - require:
      - pkg: cron

at-boot:
  cron.present:
    - name: /usr/bin/true
    - special: '@reboot'
    - user: nobody
    - require:
      - pkg: cron

restart-cron:
  module.run:
    - service.restart:
      - cron
    - require:
      - pkg: cron
`,
  'cron-absent.sls': `gone:
  cron.absent:
    - name: /usr/bin/true
    - user: nobody
`,
};

async function sh(cmd: string): Promise<string> {
  const r = await b.t.ssh(cmd);
  return r.stdout.trim();
}

beforeAll(async () => {
  b = await bootTarget();
  tree = statesTree(SLS);
}, 300_000);
afterAll(async () => {
  tree?.cleanup();
  await b?.stop();
});

describe('sysctl.present in a container (/proc/sys read-only)', () => {
  it('writes the config line; says the running value cannot be set here; second run no change', async () => {
    const running = await sh('cat /proc/sys/vm/swappiness');
    expect(await sh('touch /proc/sys/vm/swappiness 2>&1 || echo ro')).toMatch(/Read-only file system|ro/);
    const t = await runSls(b.host, tree.dir, ['sysctl'], true);
    expect(summary(t)).toEqual([['sysctl.present vm.swappiness', null, ['create /etc/sysctl.d/99-salt.conf']]]);
    expect(await sh('test -e /etc/sysctl.d/99-salt.conf && echo yes || echo no')).toBe('no');
    const r = await runSls(b.host, tree.dir, ['sysctl'], false);
    expect(summary(r)).toEqual([['sysctl.present vm.swappiness', true, ['create /etc/sysctl.d/99-salt.conf']]]);
    expect(r.results[0]!.warnings).toEqual([
      `vm.swappiness is ${running} and cannot be set to 17 here: /proc/sys/vm/swappiness is read-only (a container?); /etc/sysctl.d/99-salt.conf sets it at boot`,
    ]);
    expect(await sh('cat /etc/sysctl.d/99-salt.conf')).toBe('vm.swappiness = 17');
    expect(await sh('cat /proc/sys/vm/swappiness')).toBe(running);
    const again = await runSls(b.host, tree.dir, ['sysctl'], false);
    expect(summary(again)).toEqual([['sysctl.present vm.swappiness', true, []]]);
  });
});

describe('cron.present / cron.absent with the real crontab; module.run service.restart', () => {
  it('dry run, apply, no change; absent removes the job', async () => {
    const t = await runSls(b.host, tree.dir, ['cron'], true);
    expect(t.results.map((x) => [x.id, x.result])).toEqual([
      ['cron', null],
      ['nightly', null],
      ['at-boot', null],
      ['restart-cron', null],
    ]);
    expect(t.results[1]!.comment).toBe('would change after pkg: cron');
    const r = await runSls(b.host, tree.dir, ['cron'], false);
    expect(r.results.map((x) => [x.id, x.result, x.comment])).toEqual([
      ['cron', true, expect.any(String)],
      ['nightly', true, '1 change(s) made'],
      ['at-boot', true, '1 change(s) made'],
      ['restart-cron', true, 'service.restart ran'],
    ]);
    expect(await sh('crontab -l -u root')).toBe(
      '# Lines below here are managed by Salt, do not edit\n# the nightly job SALT_CRON_IDENTIFIER:nightly\n30 2 * * * /usr/local/bin/nightly --all',
    );
    expect(await sh('crontab -l -u nobody')).toContain('@reboot /usr/bin/true');
    const pid = await sh('systemctl show -p MainPID --value cron');
    const again = await runSls(b.host, tree.dir, ['cron'], false);
    expect(summary(again).slice(1, 3)).toEqual([
      ['cron.present /usr/local/bin/nightly --all', true, []],
      ['cron.present /usr/bin/true', true, []],
    ]);
    // module.run runs every time: cron was restarted again
    expect(await sh('systemctl is-active cron')).toBe('active');
    expect(await sh('systemctl show -p MainPID --value cron')).not.toBe(pid);

    const gone = await runSls(b.host, tree.dir, ['cron-absent'], false);
    expect(summary(gone)).toEqual([['cron.absent /usr/bin/true', true, ['delete crontab of nobody: /usr/bin/true']]]);
    expect(await sh('crontab -l -u nobody')).not.toContain('/usr/bin/true');
  });
});
