// End to end through the built CLI under a scratch root: file.directory clean (exclude_pat list, a
// require_in file kept, a file under the directory kept through implicit ordering), file.keyvalue,
// file.line and file.blockreplace editing one file in turn. --test lists every path clean would
// remove and changes nothing (exit 2); the real run applies (exit 0); the second run changes nothing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { brine as runBrine, cleanScratch, REPO, type Scratch, scratch } from '../cli/tree.js';
import { treeHash } from './drive.js';

const SLS = `conf-dir:
  file.directory:
    - name: /etc/demo
    - clean: True
    - exclude_pat:
      - '*.local'
      - 'E@^keep'

demo-main:
  file.managed:
    - name: /etc/demo/main.conf
    - contents: |
        Port 22
        #PermitRootLogin yes
    - replace: False
    - makedirs: True
    - require_in:
      - file: conf-dir

demo-extra:
  file.managed:
    - name: /etc/demo/conf.d/extra.conf
    - contents: extra
    - makedirs: True

demo-kv:
  file.keyvalue:
    - name: /etc/demo/main.conf
    - key: PermitRootLogin
    - value: 'no'
    - separator: ' '
    - uncomment: '#'
    - require:
      - file: demo-main

demo-line:
  file.line:
    - name: /etc/demo/main.conf
    - mode: ensure
    - content: UseDNS no
    - after: '^Port'
    - require:
      - file: demo-kv

demo-block:
  file.blockreplace:
    - name: /etc/demo/main.conf
    - marker_start: '# BEGIN brine'
    - marker_end: '# END brine'
    - content: Match User deploy
    - append_if_not_found: True
    - require:
      - file: demo-line
`;

describe('brine highstate --root: directory clean and in-place text edits', () => {
  let s: Scratch;
  let root: string;
  const host = () => new LocalHost({ root });
  const brine = (...args: string[]) => runBrine(s, ['highstate', '--id', 'e2e-host', '--out', 'json', ...args]);
  type Res = { id: string; result: boolean | null; comment: string; changes: Array<{ op: string; target: string }> };
  const results = (stdout: string): Res[] => JSON.parse(stdout).results;

  beforeAll(() => {
    if (!existsSync(join(REPO, 'dist/brine.mjs'))) throw new Error('dist/brine.mjs missing: run npm run build');
    s = scratch({ 'top.sls': "base:\n  '*':\n    - demo\n", 'demo/init.sls': SLS }, { 'top.sls': 'base: {}\n' });
    root = s.root;
    mkdirSync(join(root, 'etc/demo/old/deeper'), { recursive: true });
    writeFileSync(join(root, 'etc/demo/stale.conf'), 'stale');
    writeFileSync(join(root, 'etc/demo/site.local'), 'operator edits');
    writeFileSync(join(root, 'etc/demo/keep-me'), 'kept by the second pattern');
    writeFileSync(join(root, 'etc/demo/old/deeper/x'), 'x');
  });

  afterAll(cleanScratch);

  it(
    '--test lists every path clean would remove, keeps linked and excluded files, changes nothing (exit ' + '2)',
    async () => {
      const before = await treeHash(host(), '/');
      const r = await brine('--test');
      expect(r.code, r.stderr + r.stdout).toBe(2);
      const dir = results(r.stdout).find((x) => x.id === 'conf-dir')!;
      expect(dir.changes.map((c) => `${c.op} ${c.target}`)).toEqual([
        'delete /etc/demo/old',
        'delete /etc/demo/old/deeper',
        'delete /etc/demo/old/deeper/x',
        'delete /etc/demo/stale.conf',
      ]);
      expect(await treeHash(host(), '/')).toBe(before);
    },
  );

  it(
    'the real run applies exactly that (exit 0); the file is edited by keyvalue, line and ' + 'blockreplace in turn',
    async () => {
      const r = await brine();
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const res = results(r.stdout);
      expect(res.every((x) => x.result === true)).toBe(true);
      expect(res.find((x) => x.id === 'conf-dir')!.changes.map((c) => c.target)).toEqual([
        '/etc/demo/old',
        '/etc/demo/old/deeper',
        '/etc/demo/old/deeper/x',
        '/etc/demo/stale.conf',
      ]);
      const find = await host().exec(['sh', '-c', 'cd "$BRINE_ROOT/etc/demo" && find . | LC_ALL=C sort']);
      expect(find.stdout.trim().split('\n')).toEqual([
        '.',
        './conf.d',
        './conf.d/extra.conf',
        './keep-me',
        './main.conf',
        './site.local',
      ]);
      expect(readFileSync(join(root, 'etc/demo/main.conf'), 'utf8')).toBe(
        'Port 22\nUseDNS no\nPermitRootLogin no\n# BEGIN brine\nMatch User deploy\n# END brine\n',
      );
      expect(readFileSync(join(root, 'etc/demo/site.local'), 'utf8')).toBe('operator edits');
    },
  );

  it('the second run changes nothing (exit 0); --test then exits 0', async () => {
    const r = await brine();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ changed: 0, failed: 0 });
    expect((await brine('--test')).code).toBe(0);
  });

  it(
    'a wrong argument to file.line is a compile error (exit 3, one line naming the file and line), nothing ' +
      'changed',
    async () => {
      s.write('states/demo/init.sls', SLS.replace('    - mode: ensure', '    - mode: ensure\n    - contnet: typo'));
      const before = await treeHash(host(), '/');
      const r = await brine();
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/init\.sls:\d+.*contnet/);
      expect(await treeHash(host(), '/')).toBe(before);
      s.write('states/demo/init.sls', SLS);
    },
  );
});
