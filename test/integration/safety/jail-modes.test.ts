// --root is a jail (links inside the root resolve inside it), and modes are Salt's whatever the umask.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, build, cleanScratch, scratch, type Scratch } from '../cli/tree.js';

beforeAll(build, 120_000);
const probe = `/run/brine-jail-probe-${process.pid}`;
afterAll(() => {
  cleanScratch();
  rmSync(probe, { force: true });
});

const TOP = "base:\n  '*':\n    - app\n";
const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8).padStart(4, '0');

async function run(s: Scratch, args: string[], umask = '022') {
  const argv = [
    join(REPO, 'bin/brine.mjs'),
    ...args,
    '--states',
    s.states,
    '--pillar',
    s.pillar,
    '--env',
    s.env,
    '--root',
    s.root,
  ];
  const r = await execa('sh', ['-c', `umask ${umask}; exec node "$@"`, 'sh', ...argv], {
    reject: false,
    env: { NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

describe('--root is a jail', () => {
  it('writes through /var/run -> /run and absolute links land inside the root; no link escapes it', async () => {
    const name = `brine-jail-${process.pid}`;
    const s = scratch({
      'top.sls': TOP,
      'app.sls': `
via-var-run:
  file.managed:
    - name: /var/run/${name}
    - contents: inside
via-abs-link:
  file.managed:
    - name: /etc/foo/${name}.conf
    - contents: inside
escape:
  file.managed:
    - name: /evil/${name}
    - contents: inside
probe-mode:
  file.managed:
    - name: /var/run/${probe.slice('/run/'.length)}
    - mode: '0600'
`,
    });
    mkdirSync(join(s.root, 'run'));
    mkdirSync(join(s.root, 'var'));
    mkdirSync(join(s.root, 'etc/bar'), { recursive: true });
    symlinkSync('/run', join(s.root, 'var/run'));
    symlinkSync('/etc/bar', join(s.root, 'etc/foo'));
    symlinkSync('/../../etc', join(s.root, 'evil'));
    // the same file inside the root and on the real filesystem: only the one inside may change
    writeFileSync(probe, 'real');
    chmodSync(probe, 0o644);
    writeFileSync(join(s.root, probe), 'jailed');
    chmodSync(join(s.root, probe), 0o644);

    const dry = await run(s, ['highstate', '--test']);
    expect(dry.code).toBe(2);
    expect(dry.stdout).not.toMatch(/Result: False/);

    const r = await run(s, ['highstate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'run', name), 'utf8')).toBe('inside\n');
    expect(existsSync(join('/run', name))).toBe(false);
    expect(readFileSync(join(s.root, 'etc/bar', `${name}.conf`), 'utf8')).toBe('inside\n');
    expect(existsSync(join('/etc/bar', `${name}.conf`))).toBe(false);
    expect(readFileSync(join(s.root, 'etc', name), 'utf8')).toBe('inside\n');
    expect(existsSync(join('/etc', name))).toBe(false);
    expect(mode(join(s.root, probe))).toBe('0600');
    expect(mode(probe)).toBe('0644');
    expect(readFileSync(probe, 'utf8')).toBe('real');

    const again = await run(s, ['highstate', '--test']);
    expect(again.code).toBe(0);
  }, 120_000);
});

describe('modes as Salt sets them, whatever the umask', () => {
  it('under umask 077: makedirs directories 0755, new files 0644, given modes exact', async () => {
    const s = scratch({
      'top.sls': TOP,
      'app.sls': `
deep-file:
  file.managed:
    - name: /srv/a/b/c.conf
    - makedirs: true
    - contents: x
given-mode:
  file.managed:
    - name: /srv/given
    - makedirs: true
    - contents: y
    - mode: '0640'
deep-dir:
  file.directory:
    - name: /opt/x/y
    - makedirs: true
touched:
  file.touch:
    - name: /srv/touched
    - makedirs: true
`,
    });
    const r = await run(s, ['highstate'], '077');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const d of ['srv', 'srv/a', 'srv/a/b', 'opt', 'opt/x', 'opt/x/y'])
      expect([d, mode(join(s.root, d))]).toEqual([d, '0755']);
    expect(mode(join(s.root, 'srv/a/b/c.conf'))).toBe('0644');
    expect(mode(join(s.root, 'srv/given'))).toBe('0640');
    expect(mode(join(s.root, 'srv/touched'))).toBe('0644');
    const again = await run(s, ['highstate', '--test'], '077');
    expect(again.code).toBe(0);
  }, 120_000);

  it('an env.yml that group or others may read gets a warning, not an error', async () => {
    const s = scratch({ 'top.sls': TOP, 'app.sls': 'n:\n  test.nop: []\n' });
    chmodSync(s.env, 0o644);
    const r = await run(s, ['highstate']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `brine: warning: ${s.env} is readable by group and others (mode 0644) and holds secrets: chmod 600 ${s.env}`,
    );
    chmodSync(s.env, 0o640);
    expect((await run(s, ['highstate'])).stderr).toBe(
      `brine: warning: ${s.env} is readable by group (mode 0640) and holds secrets: chmod 600 ${s.env}`,
    );
    chmodSync(s.env, 0o600);
    const ok = await run(s, ['highstate']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
  }, 120_000);
});
