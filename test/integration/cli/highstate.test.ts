// brine highstate / sls / show through the built CLI, applied for real under a scratch --root.
import { statSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, cleanScratch, REPO, scratch, treeHash } from './tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

const TOP = "base:\n  '*':\n    - web\n";
const WEB = `
site-dir:
  file.directory:
    - name: /srv/site
    - makedirs: true
    - mode: '0750'

index:
  file.managed:
    - name: /srv/site/index.html
    - makedirs: true
    - contents: "hello {{ grains['os_family'] }}"
    - mode: '0640'

conf:
  file.managed:
    - name: /srv/site/site.conf
    - makedirs: true
    - contents: "secret={{ pillar['app']['db_password'] }}"
    - mode: '0600'

note:
  file.managed:
    - name: /srv/site/note
    - contents: note

reload:
  cmd.run:
    - name: touch "$BRINE_ROOT/srv/site/reloaded"
    - onchanges:
      - file: conf
`;
const PILLAR = { 'top.sls': "base:\n  '*':\n    - app\n", 'app.sls': 'app:\n  db_password: hunter2-not-for-output\n' };

describe('brine highstate', () => {
  it('--test changes nothing (exit 2), a real run applies (exit 0), the second run changes nothing', async () => {
    const s = scratch({ 'top.sls': TOP, 'web.sls': WEB }, PILLAR);
    const before = treeHash(s.root);

    const dry = await brine(s, ['highstate', '--test']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain('Result: None');
    expect(dry.stdout).toMatch(/\+hello Debian/);
    // its directory does not exist yet: the plan assumes site-dir (which would change first) makes it
    expect(dry.stdout).toContain('Comment: would change (1) after file: site-dir');
    expect(dry.stdout).toMatch(/create \/srv\/site\/index\.html: [0-9a-f]{64}/);
    expect(dry.stdout).not.toContain('hunter2-not-for-output');
    // the file that holds the pillar's password: that it is created, not its contents
    expect(dry.stdout).toMatch(
      new RegExp(
        String.raw`create \/srv\/site\/site\.conf: [0-9a-f]{64}\n\s+content not shown: the file holds a secret; ` +
          String.raw`sha256 \(none\) -> [0-9a-f]{64} \(no file -> \d+ B\)`,
      ),
    );
    expect(treeHash(s.root)).toBe(before);

    const real = await brine(s, ['highstate']);
    expect(real.stderr).toBe('');
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('Succeeded: 5 (changed=5)');
    expect(real.stdout).not.toContain('hunter2-not-for-output');
    expect(readFileSync(join(s.root, 'srv/site/index.html'), 'utf8')).toBe('hello Debian\n');
    expect(statSync(join(s.root, 'srv/site')).mode & 0o7777).toBe(0o750);
    expect(statSync(join(s.root, 'srv/site/site.conf')).mode & 0o7777).toBe(0o600);
    expect(existsSync(join(s.root, 'srv/site/reloaded'))).toBe(true);

    const again = await brine(s, ['highstate', '--out', 'json']);
    expect(again.code).toBe(0);
    const j = JSON.parse(again.stdout);
    expect(j.summary).toMatchObject({ total: 5, failed: 0, changed: 0 });
    expect(j.results.find((r: { id: string }) => r.id === 'reload').comment).toBe(
      'State was not run because none of the onchanges reqs changed',
    );

    const dry2 = await brine(s, ['highstate', '--test']);
    expect(dry2.code).toBe(0);
  });

  it('exit 1 when a state fails; its dependents are skipped, the rest runs', async () => {
    const s = scratch({
      'bad.sls': `
broken:
  cmd.run:
    - name: exit 3
dependent:
  test.succeed_with_changes:
    - require:
      - cmd: broken
independent:
  file.managed:
    - name: /ok
    - contents: ok
`,
    });
    const r = await brine(s, ['sls', 'bad']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Comment: One or more requisite failed: cmd: broken');
    expect(r.stdout).toContain('Failed:    2');
    expect(readFileSync(join(s.root, 'ok'), 'utf8')).toBe('ok\n');
  });

  it('--out markdown gives a table and diff blocks', async () => {
    const s = scratch({ 'one.sls': 'f:\n  file.managed:\n    - name: /f\n    - contents: new\n' });
    const r = await brine(s, ['sls', 'one', '--test', '--out', 'markdown']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('| 🟡 | `f` | file.managed | `/f` |');
    expect(r.stdout).toContain('```diff');
  });
});

describe('bad input: exit 3 and one line, nothing changed', () => {
  const cases: Array<[string, Record<string, string>, string[], RegExp]> = [
    [
      'an unknown argument',
      { 'x.sls': 'f:\n  test.configurable_test_state:\n    - name: /f\n    - bogus: 1\n' },
      ['sls', 'x'],
      /^brine: x\.sls:4: state 'f' \(test\.configurable_test_state\): unknown argument 'bogus'$/,
    ],
    [
      'a wrongly typed argument',
      { 'x.sls': 'f:\n  file.managed:\n    - name: /f\n    - makedirs: [1]\n' },
      ['sls', 'x'],
      /^brine: x\.sls:4: state 'f' \(file\.managed\): argument 'makedirs' must be boolean$/,
    ],
    [
      'an unknown function',
      { 'x.sls': 'f:\n  file.nosuch:\n    - name: /f\n' },
      ['sls', 'x'],
      new RegExp(
        String.raw`^brine: x\.sls:\d+: state 'f' \(file\.nosuch\): unknown state function 'file\.nosuch'(?: \(did ` +
          String.raw`you mean 'file\.\w+'\?\))?$`,
      ),
    ],
    [
      'a missing requisite',
      { 'x.sls': 'f:\n  test.nop:\n    - require:\n      - file: ghost\n' },
      ['sls', 'x'],
      /^brine: x\.sls:\d+: state 'f' \(test\.nop\): require target 'file: ghost' not found$/,
    ],
    [
      'a cycle',
      { 'x.sls': 'a:\n  test.nop:\n    - require: [b]\nb:\n  test.nop:\n    - require: [a]\n' },
      ['sls', 'x'],
      /^brine: requisite cycle: test: [ab] \(x\.sls:\d+\) -> test: [ab] \(x\.sls:\d+\) -> test: [ab]/,
    ],
  ];
  for (const [what, files, args, re] of cases) {
    it(what, async () => {
      const s = scratch({ ...files, 'ok.sls': 'never:\n  file.managed:\n    - name: /never\n    - contents: x\n' });
      const r = await brine(s, [...args, 'ok']);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(re);
      expect(existsSync(join(s.root, 'never'))).toBe(false);
    });
  }

  it('a missing states dir, a bad option, a bad --out', async () => {
    const s = scratch({});
    const missing = await brine(s, ['highstate', '--states', '/nonexistent/x'], []);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim()).toBe("brine: --states: '/nonexistent/x' is not a directory");
    const opt = await brine(s, ['highstate', '--bogus']);
    expect(opt.code).toBe(3);
    expect(opt.stderr.trim().split('\n')).toHaveLength(1);
    const out = await brine(s, ['highstate', '--out', 'xml']);
    expect(out.code).toBe(3);
    const conc = await brine(s, ['highstate', '--concurrency', '0']);
    expect(conc.code).toBe(3);
    expect(conc.stderr.trim()).toBe("brine: --concurrency must be a positive integer, got '0'");
  });
});

describe('brine show', () => {
  it('top, lowstate, highstate, grains, pillar (redacted)', async () => {
    const s = scratch({ 'top.sls': TOP, 'web.sls': WEB }, PILLAR);
    const top = await brine(s, ['show', 'top', '--out', 'json', '--id', 'web1']);
    expect(top.code).toBe(0);
    expect(JSON.parse(top.stdout)).toEqual({ web1: ['web'] });
    const low = JSON.parse((await brine(s, ['show', 'lowstate', '--out', 'json'])).stdout);
    expect(low.map((c: { __id__: string }) => c.__id__)).toEqual(['site-dir', 'index', 'conf', 'note', 'reload']);
    expect(low[1]).toMatchObject({
      state: 'file',
      fun: 'managed',
      name: '/srv/site/index.html',
      requisites: [{ require: ['file: site-dir'] }],
    });
    const hs = await brine(s, ['show', 'highstate']);
    expect(hs.stdout).toContain('site-dir:');
    expect(hs.stdout).not.toContain('hunter2');
    const grains = JSON.parse((await brine(s, ['show', 'grains', '--out', 'json'], [])).stdout);
    expect(grains.os_family).toBe('Debian');
    const pillar = await brine(s, ['show', 'pillar']);
    expect(pillar.code).toBe(0);
    expect(pillar.stdout).toContain('db_password: <redacted>');
  });
});

describe('secret arguments', () => {
  it("a module's secretArgs never print: show lowstate/highstate, and a failing run's output", async () => {
    const hash = '$6$saltsalt$Zm9vYmFyYmF6c2VjcmV0aGFzaHZhbHVlMTIzNDU2Nzg5';
    const s = scratch({
      'u.sls': `bob:\n  user.present:\n    - password: '${hash}'\n    - shell: relative/not/allowed\n`,
      'ok.sls': `ok:\n  user.present:\n    - name: brine-test-nobody\n    - password: '${hash}'\n`,
    });
    for (const what of ['lowstate', 'highstate']) {
      const r = await brine(s, ['show', what, 'ok', '--out', 'json']);
      expect(r.stdout).toContain('<redacted>');
      expect(r.stdout).not.toContain(hash);
    }
    const bad = await brine(s, ['sls', 'u']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).not.toContain(hash);
    const dry = await brine(s, ['sls', 'ok', '--test', '--out', 'json']);
    expect(dry.stdout).not.toContain(hash);
  });
});

describe('watch with real file and cmd states', () => {
  it('cmd.wait runs only when the watched file changed; --test says it would run', async () => {
    const sls = (v: string) =>
      `conf:\n  file.managed:\n    - name: /etc/app.conf\n    - makedirs: true\n    - contents: "${v}"\nreload:\n  ` +
      `cmd.wait:\n    - name: echo x >> "$BRINE_ROOT/reloads"\n    - watch:\n      - file: conf\n`;
    const s = scratch({ 'w.sls': sls('v1') });
    const reloads = () =>
      existsSync(join(s.root, 'reloads'))
        ? readFileSync(join(s.root, 'reloads'), 'utf8').split('\n').filter(Boolean).length
        : 0;
    expect((await brine(s, ['sls', 'w'])).code).toBe(0);
    expect(reloads()).toBe(1);
    const again = await brine(s, ['sls', 'w']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Succeeded: 2 (changed=0)');
    expect(reloads()).toBe(1);
    s.write('states/w.sls', sls('v2'));
    const dry = JSON.parse((await brine(s, ['sls', 'w', '--test', '--out', 'json'])).stdout);
    expect(dry.results[1]).toMatchObject({
      id: 'reload',
      result: null,
      comment: 'would run (watched file: conf would change)',
      changes: [{ op: 'run', after: 'run' }],
    });
    expect(reloads()).toBe(1);
    expect((await brine(s, ['sls', 'w'])).code).toBe(0);
    expect(reloads()).toBe(2);
    expect(readFileSync(join(s.root, 'etc/app.conf'), 'utf8')).toBe('v2\n');
  });
});

describe('the env of a run', () => {
  // no env source on this machine answers quickly: no metadata service
  const noCloud = {
    BRINE_EC2_METADATA_URL: 'http://127.0.0.1:1',
    BRINE_GCE_METADATA_URL: 'http://127.0.0.1:1',
    ENV_YML: '',
  };
  const run = (s: ReturnType<typeof scratch>, args: string[]) =>
    execa(
      'node',
      [join(REPO, 'bin/brine.mjs'), ...args, '--states', s.states, '--pillar', s.pillar, '--root', s.root],
      { reject: false, env: { NO_COLOR: '1', ...noCloud }, timeout: 120_000 },
    );

  it('a real run without an env refuses (exit 3, one line, nothing changed); --test and an explicit --env use the ' +
    'default env and say so', async () => {
    const s = scratch({ 'top.sls': TOP, 'web.sls': WEB }, PILLAR);
    s.write('pillar/default-env.yml', readFileSync(join(REPO, 'pillar/default-env.yml'), 'utf8'));
    const before = treeHash(s.root);

    const real = await run(s, ['highstate']);
    expect(real.exitCode).toBe(3);
    expect(real.stdout).toBe('');
    expect(real.stderr.trim().split('\n')).toHaveLength(1);
    expect(real.stderr).toMatch(
      new RegExp(
        '^brine: env: no env found .*a real run never uses the public default env; ' +
          'create one with `brine env create DOMAIN -o env\\.yml` and pass `--env env\\.yml`',
      ),
    );
    expect(treeHash(s.root)).toBe(before);

    const dry = await run(s, ['highstate', '--test']);
    expect(dry.exitCode).toBe(2);
    expect(dry.stderr).toBe(
      `brine: warning: no env found: using the public default env ${join(s.pillar, 'default-env.yml')} (its secrets ` +
        `are in git; dry run only)`,
    );
    expect(treeHash(s.root)).toBe(before);

    const explicit = await run(s, ['highstate', '--env', join(s.pillar, 'default-env.yml')]);
    expect(explicit.exitCode).toBe(0);
    expect(explicit.stderr).toMatch(
      /^brine: warning: the env holds secrets of the public default env .*never use them on a real host$/,
    );
    expect(existsSync(join(s.root, 'srv/site/index.html'))).toBe(true);

    // a real env (no public secrets): no warning
    const own = join(s.dir, 'own-env.yml');
    const created = await execa('node', [join(REPO, 'bin/brine.mjs'), 'env', 'create', 'own.example.org', '-o', own], {
      reject: false,
    });
    expect(created.exitCode).toBe(0);
    const mine = await run(s, ['highstate', '--env', own]);
    expect(mine.exitCode).toBe(0);
    expect(mine.stderr).toBe('');
  }, 180_000);
});

describe('big files', () => {
  it('a dry run over big rewritten files prints their sizes and hashes, not 200 KB diffs', async () => {
    const n = 10;
    const body = (tag: string) =>
      Array.from({ length: 4000 }, (_, i) => `${tag} ${i} ${'z'.repeat(45)}`).join('\n') + '\n';
    const files: Record<string, string> = { 'top.sls': "base:\n  '*':\n    - big\n" };
    let sls = '';
    for (let i = 0; i < n; i++) {
      files[`big/files/f${i}.txt`] = body(`new${i}`);
      sls += `/srv/big/f${i}.txt:\n  file.managed:\n    - source: salt://big/files/f${i}.txt\n`;
    }
    files['big/init.sls'] = sls;
    const s = scratch(files);
    for (let i = 0; i < n; i++) s.write(`root/srv/big/f${i}.txt`, body(`old${i}`));
    const t0 = Date.now();
    const dry = await brine(s, ['highstate', '--test']);
    const ms = Date.now() - t0;
    expect(dry.code).toBe(2);
    expect(
      dry.stdout.match(
        new RegExp(
          String.raw`diff omitted: 2\d\d KB file, over the 64 KB diff limit; sha256 [0-9a-f]{64} -> [0-9a-f]{64} ` +
            String.raw`\(2\d\d KB -> 2\d\d KB\)`,
          'g',
        ),
      ),
    ).toHaveLength(n);
    expect(dry.stdout.length).toBeLessThan(20_000); // was 5.7 MB for 10 such files
    expect(ms).toBeLessThan(60_000); // was 107 s for 10 such files on this machine
  }, 120_000);
});
