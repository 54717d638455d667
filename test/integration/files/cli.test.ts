// End to end: the built CLI (`node bin/brine.mjs highstate --root ...`) applies a real tree with
// files, directories, a pillar-driven template, a symlink and a cmd.wait that watches the
// template, under a scratch root. Second run: 0 changes; --test after a pillar change: exit 2 and
// nothing changed on disk; bad input: exit 3, one line, nothing changed.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { treeHash } from './drive.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = join(repo, 'bin/brine.mjs');

const SLS = `app-dir:
  file.directory:
    - name: /srv/app
    - mode: '0750'
    - user: nobody
    - group: nogroup
    - makedirs: True

app-conf:
  file.managed:
    - name: /srv/app/app.conf
    - source: salt://app/app.conf.j2
    - template: jinja
    - mode: 640
    - user: nobody
    - group: nogroup
    - context:
        port: {{ salt['pillar.get']('app:port', 8080) }}
    - require:
      - file: app-dir

{% for f in ['a', 'b', 'c'] %}
app-static-{{ f }}:
  file.managed:
    - name: /srv/app/static/{{ f }}.txt
    - contents: static {{ f }}
    - makedirs: True
{% endfor %}

app-link:
  file.symlink:
    - name: /srv/app/current
    - target: /srv/app/app.conf

app-motd:
  file.managed:
    - name: /srv/app/motd
    - contents_pillar: app:greeting

app-gone:
  file.absent:
    - name: /srv/app/old.txt

app-restart:
  cmd.wait:
    - name: echo restarted >> "$BRINE_ROOT/srv/app/restarts.log"
    - watch:
      - file: app-conf

app-once:
  cmd.run:
    - name: echo once > "$BRINE_ROOT/srv/app/once"
    - creates: /srv/app/once
    - require:
      - file: app-dir
`;

describe('brine highstate --root (built CLI) applies a tree of files, templates, links and commands', () => {
  let work: string;
  let root: string;
  let states: string;
  let pillar: string;
  const host = () => new LocalHost({ root });
  const brine = (...args: string[]) =>
    execa(
      'node',
      [cli, 'highstate', '--root', root, '--states', states, '--pillar', pillar, '--id', 'e2e-host', ...args],
      { reject: false, env: { NO_COLOR: '1' } },
    );
  const setPillar = (greeting: string) =>
    writeFileSync(join(pillar, 'app.sls'), `app:\n  greeting: ${greeting}\n  port: 9090\n`);

  beforeAll(() => {
    if (!existsSync(join(repo, 'dist/brine.mjs'))) throw new Error('dist/brine.mjs missing: run npm run build');
    work = mkdtempSync(join(tmpdir(), 'brine-e2e-'));
    root = join(work, 'root');
    states = join(work, 'states');
    pillar = join(work, 'pillar');
    for (const d of [root, join(states, 'app'), pillar]) mkdirSync(d, { recursive: true });
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - app\n");
    writeFileSync(join(states, 'app/init.sls'), SLS);
    writeFileSync(
      join(states, 'app/app.conf.j2'),
      'greeting = {{ pillar.app.greeting }}\nport = {{ port }}\nhost = {{ grains.id }}\n',
    );
    writeFileSync(join(pillar, 'top.sls'), "base:\n  '*':\n    - app\n");
    setPillar('hello');
    mkdirSync(join(root, 'srv/app'), { recursive: true });
    writeFileSync(join(root, 'srv/app/old.txt'), 'old');
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('first run applies everything (exit 0); files, modes and owners are right', async () => {
    const r = await brine('--out', 'json');
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toMatchObject({ failed: 0, total: 10 });
    expect(report.summary.changed).toBeGreaterThanOrEqual(8);
    expect(readFileSync(join(root, 'srv/app/app.conf'), 'utf8')).toBe(
      'greeting = hello\nport = 9090\nhost = e2e-host\n',
    );
    expect(await host().stat('/srv/app')).toMatchObject({
      type: 'directory',
      mode: 0o750,
      user: 'nobody',
      group: 'nogroup',
    });
    expect(await host().stat('/srv/app/app.conf')).toMatchObject({ mode: 0o640, user: 'nobody', group: 'nogroup' });
    expect(readFileSync(join(root, 'srv/app/static/b.txt'), 'utf8')).toBe('static b\n');
    expect(readFileSync(join(root, 'srv/app/motd'), 'utf8')).toBe('hello\n');
    expect(await host().readlink('/srv/app/current')).toBe('/srv/app/app.conf');
    expect(existsSync(join(root, 'srv/app/old.txt'))).toBe(false);
    expect(readFileSync(join(root, 'srv/app/restarts.log'), 'utf8')).toBe('restarted\n');
    expect(readFileSync(join(root, 'srv/app/once'), 'utf8')).toBe('once\n');
    const out = report.results.find((x: { id: string }) => x.id === 'app-once');
    expect(out).toMatchObject({ result: true, output: { retcode: 0 } });
  });

  it('second run reports zero changes (exit 0) and runs nothing', async () => {
    const r = await brine('--out', 'json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ changed: 0, failed: 0 });
    expect(readFileSync(join(root, 'srv/app/restarts.log'), 'utf8')).toBe('restarted\n');
  });

  it('--test on a changed tree exits 2, shows the diff and the watch run, and changes nothing', async () => {
    setPillar('changed');
    const before = await treeHash(host(), '/');
    const r = await brine('--test');
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stdout).toContain('-greeting = hello');
    expect(r.stdout).toContain('+greeting = changed');
    expect(r.stdout).toMatch(/app-restart[\s\S]*would run/);
    expect(await treeHash(host(), '/')).toBe(before);
    const real = await brine();
    expect(real.exitCode, real.stderr).toBe(0);
    expect(readFileSync(join(root, 'srv/app/restarts.log'), 'utf8')).toBe('restarted\nrestarted\n');
  });

  it('drift is repaired: a wrong mode and a deleted file come back (and the watcher runs)', async () => {
    await host().exec(['sh', '-c', 'chmod 666 "$BRINE_ROOT/srv/app/app.conf"; rm "$BRINE_ROOT/srv/app/static/a.txt"']);
    const r = await brine('--out', 'json');
    expect(r.exitCode).toBe(0);
    // app-conf (mode), app-static-a (recreated) and app-restart (watches app-conf)
    const changed = JSON.parse(r.stdout)
      .results.filter((x: { changes: unknown[] }) => x.changes.length)
      .map((x: { id: string }) => x.id);
    expect(changed).toEqual(['app-conf', 'app-static-a', 'app-restart']);
    expect(statSync(join(root, 'srv/app/app.conf')).mode & 0o7777).toBe(0o640);
    expect(readFileSync(join(root, 'srv/app/static/a.txt'), 'utf8')).toBe('static a\n');
  });

  it('bad input (an invalid mode) exits 3 with one line naming the state, and changes nothing', async () => {
    writeFileSync(join(states, 'app/init.sls'), SLS.replace("- mode: '0750'", "- mode: 'rwx'"));
    const before = await treeHash(host(), '/');
    const r = await brine();
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/app-dir|init\.sls/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await treeHash(host(), '/')).toBe(before);
    writeFileSync(join(states, 'app/init.sls'), SLS);
  });
});
