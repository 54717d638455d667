// State functions Salt formulas use, applied by the built CLI under a scratch --root:
// module.run/module.wait (both syntaxes) and file.serialize. Each: the dry run says exactly what
// the real run then does, a second run changes nothing.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, cleanScratch, scratch, treeHash, type Scratch } from '../cli/tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

interface Res {
  id: string;
  result: boolean | null;
  comment: string;
  changes: Array<{ op: string; target: string; diff?: string }>;
  warnings?: string[];
  output?: Record<string, unknown>;
}
const top = (sls: string) => `base:\n  '*':\n    - ${sls}\n`;
async function highstate(s: Scratch, ...more: string[]): Promise<{ code: number | undefined; results: Res[]; stderr: string }> {
  const r = await brine(s, ['highstate', '--id', 'm1', '--out', 'json', ...more]);
  return { code: r.code, results: r.stdout ? JSON.parse(r.stdout).results : [], stderr: r.stderr };
}
const byId = (rs: Res[], id: string) => rs.find((r) => r.id === id)!;

describe('module.run / module.wait', () => {
  const SLS = `/srv/conf:
  file.managed:
    - contents: v1
    - makedirs: True

new-style:
  module.run:
    - file.mkdir:
      - /srv/made
      - mode: '0750'
    - file.write:
      - /srv/made/lines
      - first
      - second
    - cmd.run:
      - cmd: 'echo ran >> "$BRINE_ROOT/srv/log"'

old-style:
  module.run:
    - name: file.touch
    - m_name: /srv/touched

on-change:
  module.wait:
    - cmd.run:
      - 'echo changed >> "$BRINE_ROOT/srv/waited"'
    - watch:
      - file: /srv/conf
`;

  it('dry run lists the calls; the real run makes them; module.wait runs only when its watch fired', async () => {
    const s = scratch({ 'top.sls': top('mod'), 'mod.sls': SLS });
    const before = treeHash(s.root);
    const t = await highstate(s, '--test');
    expect(t.code).toBe(2);
    expect(treeHash(s.root)).toBe(before);
    expect(byId(t.results, 'new-style').changes.map((c) => c.target)).toEqual([
      'file.mkdir(dir_path="/srv/made", mode="0750")',
      'file.write(path="/srv/made/lines", "first", "second")',
      'cmd.run(cmd="echo ran >> \\"$BRINE_ROOT/srv/log\\"")',
    ]);
    expect(byId(t.results, 'on-change')).toMatchObject({ result: null, changes: [{ op: 'run', target: 'on-change', after: 'run' }] });

    const r = await highstate(s);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'srv/made/lines'), 'utf8')).toBe('first\nsecond\n');
    expect(readFileSync(join(s.root, 'srv/log'), 'utf8')).toBe('ran\n');
    expect(existsSync(join(s.root, 'srv/touched'))).toBe(true);
    expect(readFileSync(join(s.root, 'srv/waited'), 'utf8')).toBe('changed\n');
    expect(byId(r.results, 'old-style').output).toEqual({ 'file.touch': { ret: true } });

    // again: module.run runs again (as in Salt), module.wait does not (nothing it watches changed)
    const again = await highstate(s);
    expect(again.code).toBe(0);
    expect(readFileSync(join(s.root, 'srv/log'), 'utf8')).toBe('ran\nran\n');
    expect(readFileSync(join(s.root, 'srv/waited'), 'utf8')).toBe('changed\n');
    expect(byId(again.results, 'on-change').comment).toBe('State was not run because none of the watched states changed');
  });

  it('a failing function fails the state (cmd.run_all exit code, test.false); an unknown function is a compile error', async () => {
    const s = scratch({
      'top.sls': top('bad'),
      'bad.sls': "fails:\n  module.run:\n    - cmd.run_all:\n      - exit 3\nfalse:\n  module.run:\n    - test.false: []\n",
    });
    const r = await highstate(s);
    expect(r.code).toBe(1);
    expect(byId(r.results, 'fails')).toMatchObject({ result: false, comment: 'cmd.run_all failed' });
    expect(byId(r.results, 'false').result).toBe(false);
    const c = scratch({ 'top.sls': top('c'), 'c.sls': 'x:\n  module.run:\n    - service.restrat:\n      - nginx\n' });
    const cr = await brine(c, ['highstate', '--id', 'm1']);
    expect(cr.code).toBe(3);
    expect(cr.stderr.trim()).toMatch(/^brine: c\.sls:3: state 'x' \(module\.run\): unknown argument 'service\.restrat' \(did you mean 'service\.restart'\?\)$/);
  });
});

describe('file.serialize', () => {
  it('writes yaml and json, merges into an existing file, dry run exact, second run no change', async () => {
    const s = scratch(
      {
        'top.sls': top('ser'),
        'ser.sls': `/etc/app/conf.yml:
  file.serialize:
    - dataset:
        b: [1, 2]
        a: {x: 'yes'}
    - formatter: yaml
    - makedirs: True
    - mode: '0640'

/etc/app/conf.json:
  file.serialize:
    - dataset_pillar: app
    - formatter: json
    - merge_if_exists: True
    - serializer_opts:
      - indent: 4
`,
      },
      { 'top.sls': "base:\n  '*':\n    - app\n", 'app.sls': 'app:\n  port: 8080\n  hosts: [a, b]\n' },
    );
    mkdirSync(join(s.root, 'etc/app'), { recursive: true });
    writeFileSync(join(s.root, 'etc/app/conf.json'), '{"keep": true, "port": 1}');
    const before = treeHash(s.root);
    const t = await highstate(s, '--test');
    expect(t.code).toBe(2);
    expect(treeHash(s.root)).toBe(before);
    const jt = byId(t.results, '/etc/app/conf.json');
    expect(jt.changes[0]!.diff).toContain('+  "port": 8080');
    expect(jt.warnings).toEqual(['serializer_opts/deserializer_opts have no effect: brine writes YAML and JSON as Salt does by default']);

    const r = await highstate(s);
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'etc/app/conf.yml'), 'utf8')).toBe("a:\n  x: 'yes'\nb:\n- 1\n- 2\n\n");
    expect(readFileSync(join(s.root, 'etc/app/conf.json'), 'utf8')).toBe('{\n  "hosts": [\n    "a",\n    "b"\n  ],\n  "keep": true,\n  "port": 8080\n}\n');
    const again = await highstate(s);
    expect(again.results.every((x) => x.result === true && x.changes.length === 0)).toBe(true);
  });
});
