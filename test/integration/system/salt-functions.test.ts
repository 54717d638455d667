// State functions Salt formulas use, on a booted Debian 12 target with systemd (nspawn, over SSH):
// sysctl.present where /proc/sys is read-only (a container), cron.present/absent with the real
// crontab, module.run service.restart and pkg.refresh_db (a local signed repository). Dry run first
// (exact), then the real run, then no change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeb, buildSignedRepo } from './local-repo.js';
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
  'more.sls': `/usr/local/bin/brine-editor:
  file.managed:
    - contents: '#!/bin/sh'
    - mode: '0755'

editor:
  alternatives.install:
    - link: /usr/bin/brine-editor
    - path: /usr/local/bin/brine-editor
    - priority: 50
    - require:
      - file: /usr/local/bin/brine-editor

tzdata:
  debconf.set:
    - data:
        tzdata/Areas: {type: select, value: Europe}
        brine/flag: {type: boolean, value: True}

/mnt/scratch:
  mount.mounted:
    - device: tmpfs
    - fstype: tmpfs
    - opts: size=8m,mode=0750
    - mkmnt: True

carol:
  user.present:
    - uid: 4242
    - groups: [carol]
    - fullname: Carol C
    - roomnumber: '12'
    - password: Plain-Secret-1
    - hash_password: True
    - enforce_password: True
    - expire: null

carol2:
  user.present:
    - uid: 4242
    - unique: False
    - createhome: False
    - require:
      - user: carol

carol-keys:
  ssh_auth.present:
    - user: carol
    - source: salt://keys.pub
    - require:
      - user: carol
`,
  'keys.pub':
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBrineTestKeyOneAAAAAAAAAAAAAAAAAAAAAAAAAA one@test\nssh-ed25519 ' +
    'AAAAC3NzaC1lZDI1NTE5AAAAIBrineTestKeyTwoAAAAAAAAAAAAAAAAAAAAAAAAAA two@test\n',
  'kh.sls': `target-itself:
  ssh_known_hosts.present:
    - name: 127.0.0.1
    - user: root
    - port: {{ pillar['port'] }}
    - enc: ssh-ed25519
    - fingerprint: {{ pillar['fp'] }}
`,
  'debs.sls': `local-debs:
  pkg.installed:
    - sources:
      - brine-src-pkg: /srv/debs/brine-src-pkg_1.0_all.deb
    - update_holds: True

nothing:
  pkg.installed:
    - pkgs: []
`,
  'cron-env.sls': `mailto:
  cron.env_present:
    - name: MAILTO
    - value: ops@example.org
`,
  'cron-env-absent.sls': `no-mailto:
  cron.env_absent:
    - name: MAILTO
`,
  'refresh.sls': `apt.refresh_db:
  module.run:
    - name: pkg.refresh_db

again-within-an-hour:
  module.run:
    - pkg.refresh_db:
      - cache_valid_time: 3600
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
      `vm.swappiness is ${running} and cannot be set to 17 here: /proc/sys/vm/swappiness is read-only (a ` +
        `container?); /etc/sysctl.d/99-salt.conf sets it at boot`,
    ]);
    expect(await sh('cat /etc/sysctl.d/99-salt.conf')).toBe('vm.swappiness = 17');
    expect(await sh('cat /proc/sys/vm/swappiness')).toBe(running);
    const again = await runSls(b.host, tree.dir, ['sysctl'], false);
    expect(summary(again)).toEqual([['sysctl.present vm.swappiness', true, []]]);
  });
});

describe('alternatives, debconf, mount (tmpfs), user.present with Salt arguments, ssh_auth source', () => {
  it('dry run exact, apply, second run no change', async () => {
    const t = await runSls(b.host, tree.dir, ['more'], true);
    expect(t.results.map((x) => [x.id, x.result])).toEqual([
      ['/usr/local/bin/brine-editor', null],
      ['editor', null],
      ['tzdata', null],
      ['/mnt/scratch', null],
      ['carol', null],
      ['carol2', null],
      ['carol-keys', null],
    ]);
    expect(await sh('update-alternatives --query editor 2>&1 | grep -c brine-editor || true')).toBe('0');
    const r = await runSls(b.host, tree.dir, ['more'], false);
    expect(r.results.map((x) => [x.id, x.result, x.comment])).toEqual(r.results.map((x) => [x.id, true, x.comment]));
    expect(await sh('update-alternatives --query editor | grep -A1 "^Alternative: /usr/local/bin/brine-editor"')).toBe(
      'Alternative: /usr/local/bin/brine-editor\nPriority: 50',
    );
    expect(await sh("grep -A3 '^Name: brine/flag' /var/cache/debconf/config.dat | grep '^Value'")).toBe('Value: true');
    expect(await sh("grep -A3 '^Name: tzdata/Areas' /var/cache/debconf/config.dat | grep '^Value'")).toBe(
      'Value: Europe',
    );
    expect(await sh('findmnt -n -o FSTYPE,OPTIONS /mnt/scratch')).toMatch(/^tmpfs\s+rw,.*size=8192k.*mode=750/);
    expect(await sh('grep /mnt/scratch /etc/fstab')).toBe('tmpfs\t/mnt/scratch\ttmpfs\tsize=8m,mode=0750\t0\t0');
    expect(await sh('getent passwd carol')).toMatch(/^carol:x:\d+:\d+:Carol C,12:\/home\/carol:/);
    expect(await sh('id -gn carol')).toBe('carol');
    expect(await sh('getent passwd carol2 | cut -d: -f3')).toBe('4242');
    expect(await sh('getent shadow carol | cut -d: -f2')).toMatch(/^\$y\$|^\$6\$/);
    expect(await sh('cat /home/carol/.ssh/authorized_keys')).toBe(
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBrineTestKeyOneAAAAAAAAAAAAAAAAAAAAAAAAAA one@test\nssh-ed25519 ' +
        'AAAAC3NzaC1lZDI1NTE5AAAAIBrineTestKeyTwoAAAAAAAAAAAAAAAAAAAAAAAAAA two@test',
    );
    expect(JSON.stringify(r)).not.toContain('Plain-Secret-1');
    const again = await runSls(b.host, tree.dir, ['more'], false);
    expect(again.results.map((x) => [x.id, x.result, x.changes.length])).toEqual(
      again.results.map((x) => [x.id, true, 0]),
    );
  });
});

describe('pkg.installed sources (a .deb on the target) and empty pkgs', () => {
  it("installs the file's version, then no change", async () => {
    mkdirSync(join(b.t.rootfs, 'srv/debs'), { recursive: true });
    await buildDeb({ name: 'brine-src-pkg', version: '1.0' }, join(b.t.rootfs, 'srv/debs'));
    const t = await runSls(b.host, tree.dir, ['debs'], true);
    expect(summary(t)).toEqual([
      ['pkg.installed local-debs', null, ['create brine-src-pkg']],
      ['pkg.installed nothing', true, []],
    ]);
    const r = await runSls(b.host, tree.dir, ['debs'], false);
    expect(r.results.map((x) => [x.id, x.result])).toEqual([
      ['local-debs', true],
      ['nothing', true],
    ]);
    expect(await sh("dpkg-query -W -f '${Version}' brine-src-pkg")).toBe('1.0');
    expect(summary(await runSls(b.host, tree.dir, ['debs'], false))).toEqual([
      ['pkg.installed local-debs', true, []],
      ['pkg.installed nothing', true, []],
    ]);
  });
});

describe('ssh_known_hosts.present with ssh-keyscan on the target', () => {
  it('adds the hashed entry when the fingerprint matches; refuses another fingerprint', async () => {
    const fp = (await sh(`ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub`)).split(' ')[1]!;
    const pillar = { port: b.t.port, fp };
    const t = await runSls(b.host, tree.dir, ['kh'], true, pillar);
    expect(summary(t)).toEqual([
      ['ssh_known_hosts.present 127.0.0.1', null, [`create /root/.ssh/known_hosts: [127.0.0.1]:${b.t.port}`]],
    ]);
    const r = await runSls(b.host, tree.dir, ['kh'], false, pillar);
    expect(r.results[0]!.result).toBe(true);
    expect(await sh(`ssh-keygen -F '[127.0.0.1]:${b.t.port}' -f /root/.ssh/known_hosts | grep -c '^|1|'`)).toBe('1');
    expect(summary(await runSls(b.host, tree.dir, ['kh'], false, pillar))).toEqual([
      ['ssh_known_hosts.present 127.0.0.1', true, []],
    ]);
    const bad = await runSls(b.host, tree.dir, ['kh'], false, {
      ...pillar,
      fp: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(bad.results[0]).toMatchObject({ result: false });
    expect(bad.results[0]!.comment).toContain(`no key of 127.0.0.1 has the fingerprint SHA256:AAAA`);
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
      '# Lines below here are managed by Salt, do not edit\n# the nightly job SALT_CRON_IDENTIFIER:nightly\n30 2 * ' +
        '* * /usr/local/bin/nightly --all',
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

    // cron.env_present / env_absent: a NAME=value line in the managed section, before the jobs
    const tab =
      '# Lines below here are managed by Salt, do not edit\n# the nightly job SALT_CRON_IDENTIFIER:nightly\n30 2 * ' +
      '* * /usr/local/bin/nightly --all';
    const et = await runSls(b.host, tree.dir, ['cron-env'], true);
    expect(summary(et)).toEqual([['cron.env_present MAILTO', null, ['create crontab of root: MAILTO']]]);
    expect(await sh('crontab -l -u root')).toBe(tab);
    const er = await runSls(b.host, tree.dir, ['cron-env'], false);
    expect(summary(er)).toEqual([['cron.env_present MAILTO', true, ['create crontab of root: MAILTO']]]);
    expect(await sh('crontab -l -u root')).toBe(tab.replace('edit\n', 'edit\nMAILTO=ops@example.org\n'));
    expect(summary(await runSls(b.host, tree.dir, ['cron-env'], false))).toEqual([
      ['cron.env_present MAILTO', true, []],
    ]);
    const ea = await runSls(b.host, tree.dir, ['cron-env-absent'], false);
    expect(summary(ea)).toEqual([['cron.env_absent MAILTO', true, ['delete crontab of root: MAILTO']]]);
    expect(await sh('crontab -l -u root')).toBe(tab);

    const gone = await runSls(b.host, tree.dir, ['cron-absent'], false);
    expect(summary(gone)).toEqual([['cron.absent /usr/bin/true', true, ['delete crontab of nobody: /usr/bin/true']]]);
    expect(await sh('crontab -l -u nobody')).not.toContain('/usr/bin/true');
  });
});

describe('module.run pkg.refresh_db (the apt formula) with a local signed repository', () => {
  it('dry run would run it, changes nothing; the real run makes the index known; cache_valid_time skips', async () => {
    const { keyArmored } = await buildSignedRepo(join(b.t.rootfs, 'srv/refresh-repo'), [
      { name: 'brine-refresh-pkg', version: '2.5' },
    ]);
    mkdirSync(join(b.t.rootfs, 'etc/apt/keyrings'), { recursive: true });
    writeFileSync(join(b.t.rootfs, 'etc/apt/keyrings/brine-refresh.asc'), keyArmored);
    writeFileSync(
      join(b.t.rootfs, 'etc/apt/sources.list.d/brine-refresh.list'),
      'deb [signed-by=/etc/apt/keyrings/brine-refresh.asc] file:/srv/refresh-repo ./\n',
    );
    const candidate = () => sh("apt-cache policy brine-refresh-pkg | sed -n 's/ *Candidate: //p'");
    expect(await candidate()).toBe('');
    const t = await runSls(b.host, tree.dir, ['refresh'], true);
    expect(summary(t)).toEqual([
      ['module.run pkg.refresh_db', null, ['run pkg.refresh_db()']],
      ['module.run again-within-an-hour', null, ['run pkg.refresh_db(cache_valid_time=3600)']],
    ]);
    expect(await candidate()).toBe('');
    const r = await runSls(b.host, tree.dir, ['refresh'], false);
    expect(r.results.map((x) => [x.id, x.result, x.comment])).toEqual([
      ['apt.refresh_db', true, 'pkg.refresh_db ran'],
      ['again-within-an-hour', true, 'pkg.refresh_db ran'],
    ]);
    expect(await candidate()).toBe('2.5');
    // Salt's return: each index line, Get -> true; the second call found the lists fresh: {}
    const rets = r.results.map((x) => JSON.stringify(x.data));
    expect(rets[0]).toMatch(/file:\/srv\/refresh-repo \.\/ (In)?Release[^"]*\\?":true/);
    expect(rets[1]).toContain('"ret":{}');
  });
});
