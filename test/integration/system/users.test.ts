// user, group and ssh_auth on a booted Debian 12 target over SSH, through the pipeline like the
// appliance uses them (an app user with its group, keys from the env added, deprecated keys
// removed): dry run changes nothing, the real run converges, the second run changes nothing, the
// password hash never appears in any output; then changes, removal and purge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../../engine/redact.js';
import { formatReport } from '../../../engine/report/index.js';
import { modules } from '../../../modules/users/index.js';
import { checkApply, plan } from '../../support/checkapply.js';
import { type Booted, bootTarget, runSls, statesTree, summary } from './target.js';

const { user, group, ssh_auth } = modules as Required<typeof modules>;
const HASH1 = '$6$brinesalt1$9qrQMSNUdRJdAVZxbxaE.sZYrLFzQamkhMKwtj2MzjoOM6RQMTS5Fc4OlvHopgiHdOQ/LAjPFX6PAl2M9Ed8Q0';
const HASH2 = '$6$brinesalt2$sY4V327Vsl5EPFhAYGb9Smd.9nXMWnwSgpJsTvR3XlSnyJtaKZa9c3X2ScYSYep6J9JrYxGjcSK8g.pwnzHmv0';
const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAhsS0t3epzP3yzcjTOzdHWeDTziODoa1bCRixfsinTB k1';
const K2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIKUqvAd/HyiezJZX2DcggUpZwa0D229+mgGX0Eg/4Sk k2';
const OLD = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHO7AP7fXE6KMPUhDmLNUt00KzqYR3Yqx0O4Uj/MvqBF old';

const SLS = `
brine-ops:
  group.present:
    - gid: 3100

application_user:
  group.present:
    - name: app
  user.present:
    - name: app
    - gid: app
    - home: /app
    - shell: /bin/bash
    - fullname: ECS application
    - groups:
      - brine-ops
    - remove_groups: False
    - password: {{ pillar['app_hash'] }}
    - require:
      - group: application_user
      - group: brine-ops

app_adminkeys_present:
  ssh_auth.present:
    - user: app
    - names:
{%- for k in pillar['keys'] %}
      - "{{ k }}"
{%- endfor %}
    - require:
      - user: application_user

app_adminkeys_absent:
  ssh_auth.absent:
    - user: app
    - names:
      - "${OLD}"
    - require:
      - user: application_user
`;

let b: Booted;
let tree: ReturnType<typeof statesTree>;
const pillar = { app_hash: HASH1, keys: [K1, K2] };
const sh = async (cmd: string) => (await b.t.ssh(cmd)).stdout.trim();

beforeAll(async () => {
  b = await bootTarget();
  tree = statesTree({ 'users.sls': SLS });
}, 300_000);
afterAll(async () => {
  tree?.cleanup();
  await b?.stop();
});

describe('the appliance account setup through the pipeline', () => {
  it('dry run: groups and user would be created, keys after them; nothing changes; no hash in output', async () => {
    const redactor = new Redactor();
    const r = await runSls(b.host, tree.dir, ['users'], true, pillar, redactor);
    expect(summary(r)).toEqual([
      ['group.present brine-ops', null, ['create brine-ops']],
      ['group.present app', null, ['create app']],
      ['user.present app', null, ['create app']],
      [`ssh_auth.present ${K1}`, null, []],
      [`ssh_auth.present ${K2}`, null, []],
      [`ssh_auth.absent ${OLD}`, true, []], // no user yet: no key to remove
    ]);
    expect(r.results[2]!.changes[0]!.after).toEqual({
      gid: 'app',
      home: '/app',
      shell: '/bin/bash',
      fullname: 'ECS application',
      groups: ['brine-ops'],
      createhome: true,
      password: '(hidden)',
    });
    expect(r.results[3]!.comment).toBe('would change after user: application_user');
    for (const out of ['highstate', 'json', 'markdown'] as const)
      expect(formatReport(r, out, { color: false, redactor, full: true })).not.toContain('brinesalt1');
    expect(await sh('getent passwd app; getent group app brine-ops; test -e /app; echo $?')).toBe('1');
  });

  it('real run: creates everything as declared, keys with safe modes; second run changes nothing', async () => {
    const r = await runSls(b.host, tree.dir, ['users'], false, pillar);
    expect(r.results.map((x) => [x.name.slice(0, 20), x.result])).toEqual([
      ['brine-ops', true],
      ['app', true],
      ['app', true],
      [K1.slice(0, 20), true],
      [K2.slice(0, 20), true],
      [OLD.slice(0, 20), true],
    ]);
    expect(r.results[5]!.changes).toEqual([]);
    expect(await sh('getent passwd app | cut -d: -f5-; getent group brine-ops; id -nG app')).toBe(
      'ECS application:/app:/bin/bash\nbrine-ops:x:3100:app\napp brine-ops',
    );
    expect(await sh('getent shadow app | cut -d: -f2')).toBe(HASH1);
    expect(await sh('cat /app/.ssh/authorized_keys')).toBe(`${K1}\n${K2}`);
    expect(await sh('stat -c "%a %U:%G" /app /app/.ssh /app/.ssh/authorized_keys')).toBe(
      '755 app:app\n700 app:app\n600 app:app',
    );
    for (const test of [true, false]) {
      const again = await runSls(b.host, tree.dir, ['users'], test, pillar);
      expect(again.results.map((x) => [x.result, x.changes])).toEqual(Array(6).fill([true, []]));
    }
  });

  it('a deprecated key is removed, a rotated password hash is set (and not shown)', async () => {
    await b.t.ssh(`echo '${OLD}' >> /app/.ssh/authorized_keys`);
    const redactor = new Redactor();
    const r = await runSls(b.host, tree.dir, ['users'], false, { ...pillar, app_hash: HASH2 }, redactor);
    expect(summary(r).filter(([, , c]) => c.length)).toEqual([
      ['user.present app', true, ['update password']],
      [`ssh_auth.absent ${OLD}`, true, ['update /app/.ssh/authorized_keys']],
    ]);
    expect(r.results[5]!.changes[0]!.diff).toContain(`-${OLD}`);
    expect(JSON.stringify(r.results[2]!.changes)).not.toContain('brinesalt');
    expect(formatReport(r, 'json', { color: false, redactor, full: true })).not.toContain('brinesalt2');
    expect(await sh('getent shadow app | cut -d: -f2; cat /app/.ssh/authorized_keys')).toBe(`${HASH2}\n${K1}\n${K2}`);
  });
});

describe('user and group functions one by one', () => {
  it('changes shell and sets the groups exactly (remove_groups default)', async () => {
    const r = await checkApply(b.host, user.present!, { name: 'app', shell: '/bin/sh', groups: [] });
    expect(r.planned).toEqual([
      { op: 'update', kind: 'shell', target: 'shell', before: '/bin/bash', after: '/bin/sh' },
      { op: 'update', kind: 'groups', target: 'groups', before: ['brine-ops'], after: [] },
    ]);
    expect(r.replanned).toEqual([]);
    expect(await sh('id -nG app; getent passwd app | cut -d: -f7')).toBe('app\n/bin/sh');
  });

  it('group members exactly, then addusers/delusers', async () => {
    const exact = await checkApply(b.host, group.present!, { name: 'brine-ops', members: ['app', 'root'] });
    expect(exact.planned).toEqual([
      { op: 'update', kind: 'members', target: 'members', before: [], after: ['app', 'root'] },
    ]);
    expect(exact.replanned).toEqual([]);
    const del = await checkApply(b.host, group.present!, { name: 'brine-ops', delusers: ['root'] });
    expect(del.planned).toEqual([
      { op: 'update', kind: 'members', target: 'members', before: ['app', 'root'], after: ['app'] },
    ]);
    expect(await sh('getent group brine-ops')).toBe('brine-ops:x:3100:app');
  });

  it('an unknown group fails at apply with one line, changing nothing', async () => {
    await expect(checkApply(b.host, user.present!, { name: 'brine-new', groups: ['brine-nope'] })).rejects.toThrow(
      "brine-new: group 'brine-nope' does not exist (declare it with group.present and require it)",
    );
    expect((await b.t.ssh('getent passwd brine-new')).exitCode).toBe(2);
  });

  it('ssh_auth with options and comment rewrites the key line in place', async () => {
    const r = await checkApply(b.host, ssh_auth.present!, {
      name: K2,
      user: 'app',
      options: ['no-pty', 'from="127.0.0.1"'],
      comment: 'k2 restricted',
    });
    expect(r.planned.map((c) => `${c.op} ${c.target}`)).toEqual(['update /app/.ssh/authorized_keys']);
    expect(r.replanned).toEqual([]);
    expect(await sh('cat /app/.ssh/authorized_keys')).toBe(
      `${K1}\nno-pty,from="127.0.0.1" ${K2.slice(0, -3)} k2 restricted`,
    );
  });

  it('user.absent with purge removes the home; group.absent removes the group', async () => {
    const r = await checkApply(b.host, user.absent!, { name: 'app', purge: true });
    expect(r.planned).toEqual([
      { op: 'delete', kind: 'account', target: 'app', before: { uid: 1000, home: '/app' }, after: 'home /app removed' },
    ]);
    expect(r.replanned).toEqual([]);
    expect((await b.t.ssh('test -e /app')).exitCode).toBe(1);
    for (const name of ['brine-ops', 'app']) {
      const g = await checkApply(b.host, group.absent!, { name });
      expect(g.replanned).toEqual([]);
      expect(await plan(b.host, group.absent!, { name })).toEqual([]);
    }
    expect((await b.t.ssh('getent group app brine-ops')).exitCode).toBe(2);
    expect(await plan(b.host, ssh_auth.absent!, { name: K1, user: 'app' })).toEqual([]);
  });
});
