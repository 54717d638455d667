// pkg and pkgrepo against real apt/dpkg in a booted Debian 12 target over SSH: a signed local
// repository (no network) added with pkgrepo.managed, packages installed, pinned, held, upgraded,
// removed and purged; the dry run changes nothing and predicts exactly what the real run does; the
// second run changes nothing; dpkg locked and unknown packages fail with one line. One Debian
// package (hello) comes from deb.debian.org, the only network these tests use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecOptions, Host } from '../../../engine/host/host.js';
import { modules } from '../../../modules/pkg/index.js';
import { checkApply, plan, testCtx } from '../../support/checkapply.js';
import { buildSignedRepo } from './local-repo.js';
import { type Booted, bootTarget, runSls, statesTree, summary } from './target.js';

const pkg = modules.pkg!;
const pkgrepo = modules.pkgrepo!;
let b: Booted;
let key: string;

async function dpkg(names: string[]): Promise<Record<string, string>> {
  const r = await b.t.ssh(
    `dpkg-query -W -f '\${Package} \${db:Status-Abbrev} \${Version}\\n' ${names.join(' ')} 2>/dev/null; true`,
  );
  return Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [n, s, v] = l.split(/\s+/);
        return [n!, `${s!.trim()} ${v ?? ''}`.trim()];
      }),
  );
}

/** apt's planner log (written for every install apt orders): mtime and size, or 'none'. */
const eippLog = async (): Promise<string> =>
  (await b.t.ssh('stat -c %Y.%s /var/log/apt/eipp.log.xz 2>/dev/null || echo none')).stdout.trim();

beforeAll(async () => {
  b = await bootTarget();
  ({ keyArmored: key } = await buildSignedRepo(`${b.t.rootfs}/srv/brine-repo`, [
    { name: 'brine-test-a', version: '1.0-1' },
    { name: 'brine-test-a', version: '1.1-1' },
    { name: 'brine-test-b', version: '2.0-1', depends: 'brine-test-a', files: { '/etc/brine-test-b.conf': 'x = 1\n' } },
    // for the aggregation tests
    { name: 'brine-test-c', version: '1.0-1' },
    { name: 'brine-test-d', version: '1.0-1', depends: 'brine-test-e' },
    { name: 'brine-test-e', version: '1.0-1' },
    { name: 'brine-test-f', version: '1.0-1' },
    { name: 'brine-test-g', version: '1.0-1' },
    { name: 'brine-test-h', version: '1.0-1' },
    // a package that conflicts with an installed one: apt removes that one
    { name: 'brine-test-x', version: '1.0-1' },
    { name: 'brine-test-y', version: '1.0-1', conflicts: 'brine-test-x' },
  ]));
}, 300_000);
afterAll(async () => {
  await b?.stop();
});

describe('pkgrepo.managed + pkg.installed through the pipeline', () => {
  const sls = `
brine-repo:
  pkgrepo.managed:
    - name: deb file:/srv/brine-repo ./
    - file: /etc/apt/sources.list.d/brine-test.sources
    - humanname: brine test repository
    - key_file: salt://repo.asc

brine-test-pkgs:
  pkg.installed:
    - pkgs:
      - brine-test-a: 1.0-1
      - brine-test-b
    - require:
      - pkgrepo: brine-repo
`;
  let tree: ReturnType<typeof statesTree>;
  beforeAll(() => {
    tree = statesTree({ 'repo.sls': sls, 'repo.asc': key });
  });
  afterAll(() => tree.cleanup());

  it('dry run: plans the key, the source and one refresh, installs after it; changes nothing', async () => {
    const r = await runSls(b.host, tree.dir, ['repo'], true);
    expect(summary(r)).toEqual([
      [
        'pkgrepo.managed deb file:/srv/brine-repo ./',
        null,
        [
          'create /etc/apt/keyrings/brine-test.asc',
          'create /etc/apt/sources.list.d/brine-test.sources',
          'run apt-get update',
        ],
      ],
      ['pkg.installed brine-test-pkgs', null, []],
    ]);
    expect(r.results[1]!.comment).toBe('would change after pkgrepo: brine-repo');
    expect(r.results[0]!.changes[1]!.diff).toContain('+Signed-By: /etc/apt/keyrings/brine-test.asc');
    expect((await b.t.ssh('ls /etc/apt/sources.list.d /etc/apt/keyrings 2>&1')).stdout).not.toContain('brine');
    expect(await dpkg(['brine-test-a', 'brine-test-b'])).toEqual({});
  });

  it('real run: does what the dry run said, installs the pinned version and the dependent package', async () => {
    const dry = await runSls(b.host, tree.dir, ['repo'], true);
    const r = await runSls(b.host, tree.dir, ['repo'], false);
    expect(r.results.map((x) => [x.result, x.comment])).toEqual([
      [true, '3 change(s) made'],
      [true, 'installed brine-test-a=1.0-1, brine-test-b=2.0-1'],
    ]);
    expect(r.results[0]!.changes).toEqual(dry.results[0]!.changes);
    expect(r.results[1]!.changes).toEqual([
      { op: 'create', kind: 'package', target: 'brine-test-a', after: '1.0-1' },
      { op: 'create', kind: 'package', target: 'brine-test-b', after: '2.0-1' },
    ]);
    expect(await dpkg(['brine-test-a', 'brine-test-b'])).toEqual({
      'brine-test-a': 'ii 1.0-1',
      'brine-test-b': 'ii 2.0-1',
    });
    const src = await b.t.ssh(
      'cat /etc/apt/sources.list.d/brine-test.sources; stat -c %a /etc/apt/keyrings/brine-test.asc',
    );
    expect(src.stdout).toBe(
      '# brine test repository\nTypes: deb\nURIs: file:/srv/brine-repo\nSuites: ./\nSigned-By: ' +
        '/etc/apt/keyrings/brine-test.asc\n644',
    );
  });

  it('second run: nothing to do, in the dry run and for real', async () => {
    for (const test of [true, false]) {
      const r = await runSls(b.host, tree.dir, ['repo'], test);
      expect(r.results.map((x) => [x.result, x.changes])).toEqual([
        [true, []],
        [true, []],
      ]);
    }
  });
});

describe('pkg.installed aggregation: one apt-get install for the states nothing orders', () => {
  // needs the repository from the describe above
  const sls = `
agg-d:
  pkg.installed:
    - pkgs:
      - brine-test-d
agg-c:
  pkg.installed:
    - name: brine-test-c
agg-f:
  pkg.installed:
    - name: brine-test-f

watch-c:
  cmd.wait:
    - name: echo ran >> /root/agg-watch
    - watch:
      - pkg: agg-c

/root/agg-marker:
  file.managed:
    - contents: marker

agg-g:
  pkg.installed:
    - name: brine-test-g
    - require:
      - file: /root/agg-marker

agg-h:
  pkg.installed:
    - name: brine-test-h
    - aggregate: False
`;
  let tree: ReturnType<typeof statesTree>;
  beforeAll(() => {
    tree = statesTree({ 'agg.sls': sls });
  });
  afterAll(() => tree.cleanup());

  /** The apt-get install command lines in apt's history log, in order. */
  async function aptInstalls(): Promise<string[]> {
    const r = await b.t.ssh('grep -h "^Commandline: apt-get .* install" /var/log/apt/history.log 2>/dev/null; true');
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^Commandline: apt-get .*? install /, 'install '));
  }
  const pkgChanges = (r: Awaited<ReturnType<typeof runSls>>) =>
    Object.fromEntries(r.results.filter((x) => x.module === 'pkg').map((x) => [x.id, x.changes]));

  it('dry run: one apt resolution for all (the three, the ordered and the opted-out), each state shows its own ' +
    'packages; real run: one apt-get install for the three; watch fires; second run: nothing', async () => {
    const before = await aptInstalls();
    const planLog = await eippLog();
    let sims = 0;
    const counting = new Proxy(b.host, {
      get(target, prop, recv) {
        if (prop === 'exec')
          return (argv: string[], o?: ExecOptions) => {
            // apt's resolution of the pending installs (apt-plan.ts), or an `apt-get -s`
            if (argv.some((a) => a.includes('apt-get --print-uris')) || argv[argv.indexOf('apt-get') + 1] === '-s')
              sims++;
            return target.exec(argv, o);
          };
        return Reflect.get(target, prop, recv);
      },
    }) as Host;
    const dry = await runSls(counting, tree.dir, ['agg'], true);
    // one simulation per run: agg-d/c/f (one apt call in the real run), agg-g (it has a requisite) and agg-h
    // (aggregate: False) are split back by apt's account of what each package pulls in
    expect(sims).toBe(1);
    // apt's planner log is not written by the resolution: the dry run changes nothing
    expect(await eippLog()).toBe(planLog);
    expect(pkgChanges(dry)).toEqual({
      // packages apt adds for the group (brine-test-e) are listed on its first state
      'agg-d': [
        { op: 'create', kind: 'package', target: 'brine-test-d', after: '1.0-1' },
        { op: 'create', kind: 'dependency', target: 'brine-test-e (dependency)', after: '1.0-1' },
      ],
      'agg-c': [{ op: 'create', kind: 'package', target: 'brine-test-c', after: '1.0-1' }],
      'agg-f': [{ op: 'create', kind: 'package', target: 'brine-test-f', after: '1.0-1' }],
      'agg-g': [{ op: 'create', kind: 'package', target: 'brine-test-g', after: '1.0-1' }],
      'agg-h': [{ op: 'create', kind: 'package', target: 'brine-test-h', after: '1.0-1' }],
    });
    expect(await dpkg(['brine-test-c', 'brine-test-d', 'brine-test-e'])).toEqual({});

    const r = await runSls(b.host, tree.dir, ['agg'], false);
    expect(r.results.map((x) => [x.id, x.result, x.comment])).toEqual([
      ['agg-d', true, 'installed brine-test-d=1.0-1 (+1 dependencies) (together with pkg: agg-c, pkg: agg-f)'],
      ['agg-c', true, 'installed brine-test-c=1.0-1 with pkg: agg-d (one call for 3 states)'],
      ['agg-f', true, 'installed brine-test-f=1.0-1 with pkg: agg-d (one call for 3 states)'],
      ['watch-c', true, expect.stringContaining('')],
      ['/root/agg-marker', true, '1 change(s) made'],
      ['agg-g', true, 'installed brine-test-g=1.0-1'],
      ['agg-h', true, 'installed brine-test-h=1.0-1'],
    ]);
    // the real run reports what the dry run said, state by state
    expect(pkgChanges(r)).toEqual(pkgChanges(dry));
    // apt's own log: ONE install for the three unordered states, then one each for g and h
    const installs = (await aptInstalls()).slice(before.length);
    expect(installs).toHaveLength(3);
    expect(
      installs[0]!
        .split(' ')
        .filter((w) => !w.startsWith('-'))
        .sort(),
    ).toEqual(['brine-test-c', 'brine-test-d', 'brine-test-f', 'install']);
    expect(
      installs
        .slice(1)
        .map((l) => l.split(' ').pop())
        .sort(),
    ).toEqual(['brine-test-g', 'brine-test-h']);
    expect(
      await dpkg(['brine-test-c', 'brine-test-d', 'brine-test-e', 'brine-test-f', 'brine-test-g', 'brine-test-h']),
    ).toEqual({
      'brine-test-c': 'ii 1.0-1',
      'brine-test-d': 'ii 1.0-1',
      'brine-test-e': 'ii 1.0-1',
      'brine-test-f': 'ii 1.0-1',
      'brine-test-g': 'ii 1.0-1',
      'brine-test-h': 'ii 1.0-1',
    });
    // the cmd.wait watching an absorbed state ran (Salt's mod_aggregate would have left it idle)
    expect(r.results.find((x) => x.id === 'watch-c')!.changes.length).toBeGreaterThan(0);
    expect((await b.t.ssh('cat /root/agg-watch')).stdout).toBe('ran');

    // second run: zero changes, no apt call, the watcher stays idle
    for (const test of [true, false]) {
      const again = await runSls(b.host, tree.dir, ['agg'], test);
      expect(again.results.map((x) => [x.id, x.result, x.changes])).toEqual(r.results.map((x) => [x.id, true, []]));
    }
    expect(await aptInstalls()).toHaveLength(before.length + 3);
    expect((await b.t.ssh('cat /root/agg-watch')).stdout).toBe('ran');
    await b.t.ssh(
      'apt-get purge -y -q brine-test-c brine-test-d brine-test-e brine-test-f brine-test-g brine-test-h >/dev/null',
    );
  }, 300_000);
});

describe('pkg states on the real dpkg', () => {
  it('reads dpkg state once for all pkg states (gatherMany: one exec)', async () => {
    let execs = 0;
    const counting = new Proxy(b.host, {
      get(target, prop, recv) {
        if (prop === 'exec')
          return (argv: string[], o?: ExecOptions) => {
            execs++;
            return target.exec(argv, o);
          };
        return Reflect.get(target, prop, recv);
      },
    }) as Host;
    const noop = [{ name: 'brine-test-a' }, { name: 'x', pkgs: ['brine-test-b', 'bash'] }, { name: 'libc6' }].map(
      (args) => ({ args, ctx: testCtx(args) }),
    );
    const facts = await pkg.installed!.gatherMany!(counting, noop);
    expect(execs).toBe(1);
    expect(facts.map((f, i) => pkg.installed!.plan(noop[i]!.args, f, noop[i]!.ctx))).toEqual([[], [], []]);
    // a state with something to install adds one apt simulation (its dependencies, for the plan)
    execs = 0;
    const items = [...noop, { args: { name: 'hello' }, ctx: testCtx({ name: 'hello' }) }];
    const more = await pkg.installed!.gatherMany!(counting, items);
    expect(execs).toBe(2);
    expect(pkg.installed!.plan(items[3]!.args, more[3], items[3]!.ctx)).toEqual([
      { op: 'create', kind: 'package', target: 'hello', after: '2.10-3' },
    ]);
  });

  it('upgrades to a pinned version and holds it; a held package does not move without hold', async () => {
    const r = await checkApply(b.host, pkg.installed!, { name: 'brine-test-a', version: '1.1-1', hold: true });
    expect(r.planned).toEqual([
      { op: 'update', kind: 'package', target: 'brine-test-a', before: '1.0-1', after: '1.1-1' },
      { op: 'update', kind: 'hold', target: 'brine-test-a (hold)', pkg: 'brine-test-a', before: false, after: true },
    ]);
    expect(r.replanned).toEqual([]);
    expect(await dpkg(['brine-test-a'])).toEqual({ 'brine-test-a': 'hi 1.1-1' });
    const blocked = checkApply(b.host, pkg.installed!, { name: 'brine-test-a', version: '1.0-1' });
    await expect(blocked).rejects.toThrow(
      'brine-test-a: a held package would change: release the hold (hold: False) or pin the held version',
    );
    expect(await dpkg(['brine-test-a'])).toEqual({ 'brine-test-a': 'hi 1.1-1' });
  });

  it('downgrades and releases the hold; latest upgrades again', async () => {
    const down = await checkApply(b.host, pkg.installed!, { name: 'brine-test-a', version: '1.0*', hold: false });
    expect(down.planned).toEqual([
      { op: 'update', kind: 'package', target: 'brine-test-a', before: '1.1-1', after: '1.0-1' },
      { op: 'update', kind: 'hold', target: 'brine-test-a (hold)', pkg: 'brine-test-a', before: true, after: false },
    ]);
    expect(down.replanned).toEqual([]);
    const up = await checkApply(b.host, pkg.latest!, { name: 'brine-test-a' });
    expect(up.planned).toEqual([
      { op: 'update', kind: 'package', target: 'brine-test-a', before: '1.0-1', after: '1.1-1' },
    ]);
    expect(up.replanned).toEqual([]);
    expect(await dpkg(['brine-test-a'])).toEqual({ 'brine-test-a': 'ii 1.1-1' });
  });

  it('removes (configuration stays), then purges', async () => {
    // the dry run shows what apt removes along with a package (here: the package depending on it)
    expect(await plan(b.host, pkg.removed!, { name: 'brine-test-a' })).toEqual([
      { op: 'delete', kind: 'package', target: 'brine-test-a', before: '1.1-1' },
      { op: 'delete', kind: 'also-removed', target: 'brine-test-b (also removed)', before: '2.0-1' },
    ]);
    const dry = await plan(b.host, pkg.removed!, { name: 'brine-test-b' });
    expect(await dpkg(['brine-test-b'])).toEqual({ 'brine-test-b': 'ii 2.0-1' });
    const rm = await checkApply(b.host, pkg.removed!, { name: 'brine-test-b' });
    expect(rm.planned).toEqual(dry);
    expect(rm.planned).toEqual([{ op: 'delete', kind: 'package', target: 'brine-test-b', before: '2.0-1' }]);
    expect(rm.replanned).toEqual([]);
    expect(await dpkg(['brine-test-b'])).toEqual({ 'brine-test-b': 'rc 2.0-1' });
    expect((await b.t.ssh('cat /etc/brine-test-b.conf')).stdout).toBe('x = 1');
    const purge = await checkApply(b.host, pkg.purged!, { name: 'x', pkgs: ['brine-test-b', 'brine-test-a'] });
    expect(purge.planned).toEqual([
      { op: 'delete', kind: 'package', target: 'brine-test-b', before: 'config-files', after: 'purged' },
      { op: 'delete', kind: 'package', target: 'brine-test-a', before: '1.1-1', after: 'purged' },
    ]);
    expect(purge.replanned).toEqual([]);
    expect((await b.t.ssh('test -e /etc/brine-test-b.conf')).exitCode).toBe(1);
    expect(await plan(b.host, pkg.removed!, { name: 'brine-test-a' })).toEqual([]);
  });

  it('installs a dependency along with the named package, shown in the plan', async () => {
    const r = await checkApply(b.host, pkg.installed!, { name: 'brine-test-b' });
    expect(r.planned).toEqual([
      { op: 'create', kind: 'package', target: 'brine-test-b', after: '2.0-1' },
      { op: 'create', kind: 'dependency', target: 'brine-test-a (dependency)', after: '1.1-1' },
    ]);
    expect(r.output).toEqual({ comment: 'installed brine-test-b=2.0-1 (+1 dependencies)' });
    expect(r.replanned).toEqual([]);
    expect(await dpkg(['brine-test-a', 'brine-test-b'])).toEqual({
      'brine-test-a': 'ii 1.1-1',
      'brine-test-b': 'ii 2.0-1',
    });
  });

  it('installs a package from Debian itself and the second plan is empty', async () => {
    const r = await checkApply(b.host, pkg.installed!, { name: 'hello' });
    expect(r.planned).toEqual([{ op: 'create', kind: 'package', target: 'hello', after: '2.10-3' }]);
    expect(r.replanned).toEqual([]);
    expect((await b.t.ssh('hello')).stdout).toBe('Hello, world!');
  }, 120_000);

  it('installing a package that conflicts with an installed one shows the removal, and does it', async () => {
    await checkApply(b.host, pkg.installed!, { name: 'brine-test-x' });
    const dry = await plan(b.host, pkg.installed!, { name: 'brine-test-y' });
    expect(dry).toEqual([
      { op: 'create', kind: 'package', target: 'brine-test-y', after: '1.0-1' },
      { op: 'delete', kind: 'also-removed', target: 'brine-test-x (also removed)', before: '1.0-1' },
    ]);
    const r = await checkApply(b.host, pkg.installed!, { name: 'brine-test-y' });
    expect(r.planned).toEqual(dry);
    expect(r.replanned).toEqual([]);
    expect(await dpkg(['brine-test-y'])).toEqual({ 'brine-test-y': 'ii 1.0-1' });
    expect(await dpkg(['brine-test-x'])).not.toHaveProperty('brine-test-x', 'ii 1.0-1');
    await b.t.ssh('apt-get purge -y -q brine-test-y >/dev/null');
  });

  it('refreshes the package index first when there is none (fresh image), and only then', async () => {
    await b.t.ssh('find /var/lib/apt/lists -maxdepth 1 ! -type d ! -name lock -delete');
    const r = await checkApply(b.host, pkg.installed!, { name: 'sl' });
    expect(r.planned).toEqual([
      { op: 'run', kind: 'refresh', target: 'apt-get update' },
      { op: 'create', kind: 'package', target: 'sl', after: '(candidate after apt-get update)' },
    ]);
    expect(r.output).toEqual({ comment: 'installed sl=5.02-1+b1 (+2 dependencies)' }); // known once the index is there
    expect(r.replanned).toEqual([]);
    expect(await dpkg(['sl'])).toEqual({ sl: 'ii 5.02-1+b1' });
  }, 180_000);

  it('fails with one line for an unknown package, in the dry run already', async () => {
    await expect(plan(b.host, pkg.installed!, { name: 'brine-no-such-package' })).rejects.toThrow(
      /^brine-no-such-package: package 'brine-no-such-package' not found in apt's lists: no configured/,
    );
  });

  it('fails with one line when dpkg is locked by another process', async () => {
    // hold dpkg's frontend lock the way apt does (fcntl), from another process in the target
    await b.t.ssh(
      `nohup python3 -c "import fcntl,time; f=open('/var/lib/dpkg/lock-frontend','w'); fcntl.lockf(f, ` +
        `fcntl.LOCK_EX); open('/run/locked','w'); time.sleep(60)" >/dev/null 2>&1 &
      for i in $(seq 50); do [ -e /run/locked ] && break; sleep 0.1; done`,
    );
    expect((await b.t.ssh('test -e /run/locked && pgrep -f fcntl.lockf')).exitCode).toBe(0);
    try {
      const err = await checkApply(b.host, pkg.installed!, { name: 'brine-test-a', version: '1.0-1' }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(
        new RegExp(
          String.raw`^brine-test-a: dpkg is locked by another process \(pid \d+ python3\): ` +
            String.raw`\/var\/lib\/dpkg\/lock-frontend; try again when it has finished$`,
        ),
      );
      expect(await dpkg(['brine-test-a'])).toEqual({ 'brine-test-a': 'ii 1.1-1' });
    } finally {
      await b.t.ssh('pkill -f "fcntl.lockf" ; rm -f /run/locked');
    }
  });
});

describe('pkg.uptodate', () => {
  it('upgrades what apt would upgrade, exactly as its dry run listed', async () => {
    await checkApply(b.host, pkg.installed!, { name: 'brine-test-a', version: '1.0-1' });
    const dry = await plan(b.host, pkg.uptodate!, { name: 'system' });
    expect(dry).toContainEqual({ op: 'update', target: 'brine-test-a', before: '1.0-1', after: '1.1-1' });
    const r = await checkApply(b.host, pkg.uptodate!, { name: 'system' });
    expect(r.planned).toEqual(dry);
    expect(r.replanned).toEqual([]);
    expect(await dpkg(['brine-test-a'])).toEqual({ 'brine-test-a': 'ii 1.1-1' });
  }, 180_000);
});

describe('pkgrepo one-line sources', () => {
  const line = 'deb [arch=amd64] file:/srv/brine-repo ./';
  it('writes a .list with signed-by and the key from key_text, refreshes only that source', async () => {
    const r = await checkApply(b.host, pkgrepo.managed!, { name: line, key_text: key });
    expect(r.planned.map((c) => `${c.op} ${c.target}`)).toEqual([
      'create /etc/apt/keyrings/srv_brine-repo_flat.asc',
      'create /etc/apt/sources.list.d/srv_brine-repo_flat.list',
      'run apt-get update',
    ]);
    expect(r.replanned).toEqual([]);
    expect((await b.t.ssh('cat /etc/apt/sources.list.d/srv_brine-repo_flat.list')).stdout).toBe(
      'deb [arch=amd64 signed-by=/etc/apt/keyrings/srv_brine-repo_flat.asc] file:/srv/brine-repo ./',
    );
    expect(await plan(b.host, pkgrepo.managed!, { name: line, key_text: key })).toEqual([]);
    expect((await checkApply(b.host, pkgrepo.absent!, { name: line })).replanned).toEqual([]);
  });

  it('key_url over http (fetched by brine) and comments on the line, which apt reads', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if (req.url === '/key.asc') res.end(key);
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    try {
      const args = { name: line, key_url: `http://127.0.0.1:${port}/key.asc`, comments: ['from brine', '#test'] };
      const r = await checkApply(b.host, pkgrepo.managed!, args);
      expect(r.planned.map((c) => `${c.op} ${c.target}`)).toEqual([
        'create /etc/apt/keyrings/srv_brine-repo_flat.asc',
        'create /etc/apt/sources.list.d/srv_brine-repo_flat.list',
        'run apt-get update',
      ]);
      expect(r.replanned).toEqual([]);
      expect((await b.t.ssh('cat /etc/apt/sources.list.d/srv_brine-repo_flat.list')).stdout.trim()).toBe(
        'deb [arch=amd64 signed-by=/etc/apt/keyrings/srv_brine-repo_flat.asc] file:/srv/brine-repo ./' +
          ' #from brine #test',
      );
      // apt reads the line with its comment and verifies the source with the fetched key
      const upd = await b.t.ssh(
        'apt-get update -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/srv_brine-repo_flat.list' +
          ' -o Dir::Etc::sourceparts=- 2>&1; echo "exit=$?"',
      );
      expect(upd.stdout).toMatch(/file:\/srv\/brine-repo \.\/ (InRelease|Release)/);
      expect(upd.stdout).toMatch(/exit=0\s*$/);
      expect(upd.stdout).not.toMatch(/^(W|E): /m);
      const missing = { ...args, key_url: `http://127.0.0.1:${port}/nokey.asc` };
      await expect(plan(b.host, pkgrepo.managed!, missing)).rejects.toThrow(/key_url .*nokey\.asc not found/);
    } finally {
      server.close();
    }
    expect((await checkApply(b.host, pkgrepo.absent!, { name: line })).replanned).toEqual([]);
  });

  it('enabled: False writes the source commented out, no index refresh; a second run changes nothing', async () => {
    const args = {
      name: 'deb file:/srv/brine-repo ./',
      file: '/etc/apt/sources.list.d/brine-off.list',
      enabled: false,
    };
    const r = await checkApply(b.host, pkgrepo.managed!, args);
    expect(r.planned.map((c) => `${c.op} ${c.target}`)).toEqual(['create /etc/apt/sources.list.d/brine-off.list']);
    expect(r.replanned).toEqual([]);
    expect((await b.t.ssh('cat /etc/apt/sources.list.d/brine-off.list')).stdout.trim()).toBe(
      '# deb file:/srv/brine-repo ./',
    );
    expect(
      (
        await b.t.ssh(
          'apt-get update -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/brine-off.list' +
            ' -o Dir::Etc::sourceparts=- 2>&1',
        )
      ).stdout,
    ).not.toMatch(/brine-repo/);
    expect((await checkApply(b.host, pkgrepo.absent!, args)).replanned).toEqual([]);
  });

  it("a key that did not sign the repository fails with apt's reason in one line", async () => {
    const other = (await b.t.ssh('cat /usr/share/keyrings/debian-archive-keyring.gpg | base64 -w0')).stdout;
    const args = {
      name: 'deb file:/srv/brine-repo ./',
      file: '/etc/apt/sources.list.d/brine-wrong.list',
      key_file: '/nonexistent',
    };
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/brine-h6-key-');
    writeFileSync(`${dir}/debian.gpg`, Buffer.from(other, 'base64'));
    const err = await checkApply(b.host, pkgrepo.managed!, { ...args, key_file: `${dir}/debian.gpg` }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^deb file:\/srv\/brine-repo \.\/: signature check failed: .*NO_PUBKEY [0-9A-F]+$/);
    expect((await checkApply(b.host, pkgrepo.absent!, args)).replanned).toEqual([]);
  });
});

describe('pkgrepo.absent', () => {
  it('removes the source and the key it stored', async () => {
    const args = { name: 'deb file:/srv/brine-repo ./', file: '/etc/apt/sources.list.d/brine-test.sources' };
    const r = await checkApply(b.host, pkgrepo.absent!, args);
    expect(r.planned).toEqual([
      {
        op: 'delete',
        kind: 'removed',
        target: '/etc/apt/sources.list.d/brine-test.sources',
        path: '/etc/apt/sources.list.d/brine-test.sources',
      },
      {
        op: 'delete',
        kind: 'removed',
        target: '/etc/apt/keyrings/brine-test.asc',
        path: '/etc/apt/keyrings/brine-test.asc',
      },
    ]);
    expect(r.replanned).toEqual([]);
  });
});
