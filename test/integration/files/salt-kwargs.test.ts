// Salt SLS forms that formulas use and brine used to refuse, applied by the built CLI under a
// scratch --root: an argument item with two keys (`- context:` with a sibling key), file.managed's
// unknown arguments and name/source as template variables (Salt's **kwargs), show_diff,
// file.directory force, contents_pillar with lists, an inert argument's warning, file.recurse
// with a source list and exclude_pat list, host.present in /etc/hosts, `~/` in a file name, a boolean onlyif (Salt runs
// the state). Dry run exact,
// real run, second run clean.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, cleanScratch, scratch, treeHash, type Scratch } from '../cli/tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

interface Res {
  id: string;
  result: boolean | null;
  changes: Array<{ op: string; target: string; diff?: string }>;
  warnings?: string[];
}
async function highstate(
  s: Scratch,
  ...more: string[]
): Promise<{ code: number | undefined; results: Res[]; stderr: string }> {
  const r = await brine(s, ['highstate', '--id', 'm1', '--out', 'json', ...more]);
  return { code: r.code, results: r.stdout ? JSON.parse(r.stdout).results : [], stderr: r.stderr };
}
const byId = (rs: Res[], id: string) => rs.find((r) => r.id === id)!;

const SLS = `/etc/app/app.conf:
  file.managed:
    - source: salt://files/app.conf.jinja
    - template: jinja
    - makedirs: True
    - context:
      app:
        port: 8080
    - show_diff: False

/srv/data:
  file.directory:
    - force: True

/srv/motd:
  file.managed:
    - contents_pillar: motd:lines

/srv/two:
  file.managed:
    - contents_pillar:
      - motd:first
      - motd:second

/srv/gone:
  file.absent:
    - template: jinja

/srv/tree:
  file.recurse:
    - source:
      - salt://no-such-dir
      - salt://tree
    - template: ''
    - exclude_pat:
      - _*
      - b.txt

~/.app.cnf:
  file.managed:
    - contents: '[client]'
    - makedirs: True

db.lan:
  host.present:
    - ip: [10.0.0.7, 10.0.0.8]
    - clean: True

ran-anyway:
  cmd.run:
    - name: touch "$BRINE_ROOT/srv/ran"
    - onlyif: False
`;
const PILLAR = 'motd:\n  lines: [one, two]\n  first: "a\\nb"\n  second: 3\n';

describe('Salt forms formulas use', () => {
  it('dry run says what the real run does; a second run changes nothing but the command', async () => {
    const s = scratch(
      {
        'top.sls': "base:\n  '*':\n    - app\n",
        'app.sls': SLS,
        'files/app.conf.jinja': '# managed at <{{ source }}> for {{ name }}\nport={{ app.port }}\n',
        'tree/a.txt': '{{ not rendered }}\n',
        'tree/b.txt': 'b',
        'tree/_c.txt': 'c',
      },
      { 'top.sls': "base:\n  '*':\n    - motd\n", 'motd.sls': PILLAR },
    );
    mkdirSync(join(s.root, 'etc/app'), { recursive: true });
    writeFileSync(join(s.root, 'etc/app/app.conf'), 'secret-ish old text\n');
    mkdirSync(join(s.root, 'srv'));
    writeFileSync(join(s.root, 'srv/data'), 'a file where a directory belongs\n');
    writeFileSync(join(s.root, 'etc/hosts'), '127.0.0.1 localhost\n10.0.0.5 db.lan\n');
    const before = treeHash(s.root);

    const t = await highstate(s, '--test');
    expect(t.stderr).toBe('');
    expect(t.code).toBe(2);
    expect(treeHash(s.root)).toBe(before);
    const conf = byId(t.results, '/etc/app/app.conf').changes[0]!;
    expect(conf.diff).toMatch(/^content not shown \(show_changes: False\)/);
    expect(JSON.stringify(t.results)).not.toContain('secret-ish');
    expect(byId(t.results, '/srv/data').changes.map((c) => c.op)).toEqual(['delete', 'create']);
    expect(byId(t.results, '/srv/gone').warnings).toEqual([
      'template has no effect: file.absent renders nothing (Salt ignores it too)',
    ]);

    expect(byId(t.results, 'ran-anyway').warnings).toEqual([
      'onlyif: False has no effect: it is not a command (Salt says "bad type passed" and runs the state)',
    ]);
    expect(byId(t.results, '~/.app.cnf').changes.map((c) => c.target)).toEqual(['/root/.app.cnf']);

    const r = await highstate(s);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'srv/tree/a.txt'), 'utf8')).toBe('{{ not rendered }}\n');
    expect(readdirSync(join(s.root, 'srv/tree'))).toEqual(['a.txt']);
    expect(readFileSync(join(s.root, 'root/.app.cnf'), 'utf8')).toBe('[client]\n');
    expect(statSync(join(s.root, 'srv/ran')).isFile()).toBe(true);
    expect(readFileSync(join(s.root, 'etc/hosts'), 'utf8')).toBe(
      '127.0.0.1 localhost\n10.0.0.7\t\tdb.lan\n10.0.0.8\t\tdb.lan\n',
    );
    expect(readFileSync(join(s.root, 'etc/app/app.conf'), 'utf8')).toBe(
      '# managed at <salt://files/app.conf.jinja> for /etc/app/app.conf\nport=8080\n',
    );
    expect(statSync(join(s.root, 'srv/data')).isDirectory()).toBe(true);
    expect(readFileSync(join(s.root, 'srv/motd'), 'utf8')).toBe('one\ntwo\n');
    expect(readFileSync(join(s.root, 'srv/two'), 'utf8')).toBe('a\nb\n3\n');

    // a second run: nothing to change but the command (cmd.run runs every time, as in Salt)
    const again = await highstate(s, '--test');
    expect(again.code).toBe(2);
    expect(again.results.filter((x) => x.changes.length).map((x) => x.id)).toEqual(['ran-anyway']);
  });

  it('without force a file where a directory belongs fails the state and says how to replace it', async () => {
    const s = scratch({ 'top.sls': "base:\n  '*':\n    - d\n", 'd.sls': '/srv/data:\n  file.directory: []\n' });
    mkdirSync(join(s.root, 'srv'));
    writeFileSync(join(s.root, 'srv/data'), 'x');
    const t = await highstate(s, '--test');
    expect(t.code).toBe(1);
    expect(JSON.stringify(byId(t.results, '/srv/data'))).toContain(
      'exists as a file, not a directory (force: True replaces it)',
    );
  });
});
