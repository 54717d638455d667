// One run at a time per host (--root), signals stop a run cleanly, temp files of killed runs go.
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, build, cleanScratch, scratch, type Scratch } from '../cli/tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

const TOP = "base:\n  '*':\n    - app\n";
const slow = (secs: number, mark: string) => `
slow:
  cmd.run:
    - name: true ${mark}; sleep ${secs}; touch "$BRINE_ROOT/slept"
after:
  file.managed:
    - name: /srv/after
    - makedirs: true
    - contents: after
    - require:
      - cmd: slow
`;

function start(s: Scratch, extra: string[] = []) {
  const args = [
    join(REPO, 'bin/brine.mjs'),
    'highstate',
    '--states',
    s.states,
    '--pillar',
    s.pillar,
    '--env',
    s.env,
    '--root',
    s.root,
    ...extra,
  ];
  return execa('node', args, { reject: false, env: { NO_COLOR: '1' }, timeout: 120_000 });
}

let marks = 0;
/** A scratch tree whose slow command carries a mark of its own (pgrep finds this run's command). */
function slowTree(secs = 4): Scratch & { mark: string } {
  const mark = `brine-mark-${process.pid}-${marks++}`;
  return Object.assign(scratch({ 'top.sls': TOP, 'app.sls': slow(secs, mark) }), { mark });
}

/** Resolves once the run has started its first state (the slow command is running). */
async function running(s: { mark: string; root: string }): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const ps = await execa('pgrep', ['-f', s.mark], { reject: false });
    if (ps.stdout.trim()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the run under ${s.root} never started its command`);
}

describe('one run at a time per --root', () => {
  it('a second run refuses with --lock-timeout 0 (exit 1, names the holder), waits otherwise; both runs end ' +
    'well', async () => {
    const s = slowTree(15);
    const first = start(s);
    await running(s);
    const refused = await start(s, ['--lock-timeout', '0']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        String.raw`^brine: local:.*: another brine run holds \/run\/brine\/root-[0-9a-f]{16}\.lock \(pid \d+ on .* ` +
          String.raw`since .*\); not waiting \(--lock-timeout 0\)$`,
      ),
    );
    expect(refused.stdout).toBe('');

    const waiting = start(s, ['--lock-timeout', '60']);
    const w = await waiting;
    const f = await first;
    expect(f.exitCode).toBe(0);
    expect(w.exitCode).toBe(0);
    expect(w.stderr).toMatch(
      /^brine: waiting up to 60 s for the run lock \/run\/brine\/root-[0-9a-f]{16}\.lock on local:.* \(held by pid \d+/,
    );
    // the waiting run started after the first had finished: its file was already in place
    expect(w.stdout).not.toMatch(/create \/srv\/after/);
    expect(f.stdout).toMatch(/create \/srv\/after/);
  }, 60_000);

  it('SIGTERM while waiting for the lock: the waiting run gives up at once (exit 143), the first goes on', async () => {
    const s = slowTree(12);
    const first = start(s);
    await running(s);
    const waiting = start(s, ['--lock-timeout', '120']);
    for (let i = 0; i < 300 && !waiting.pid; i++) await new Promise((r) => setTimeout(r, 50));
    // wait until it says it waits
    let said = '';
    waiting.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    for (let i = 0; i < 400 && !said.includes('waiting up to'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(said).toContain('waiting up to 120 s');
    const t0 = Date.now();
    waiting.kill('SIGTERM');
    const w = await waiting;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(w.exitCode).toBe(143);
    expect(w.stderr).toMatch(/stopped by SIGTERM while waiting for the run lock/);
    expect((await first).exitCode).toBe(0);
  }, 90_000);

  it('two runs on different roots do not wait for each other', async () => {
    const a = slowTree();
    const b = slowTree();
    const pa = start(a, ['--lock-timeout', '0']);
    await running(a);
    const rb = await start(b, ['--lock-timeout', '0']);
    const ra = await pa;
    expect([ra.exitCode, rb.exitCode]).toEqual([0, 0]);
    expect(rb.stderr).toBe('');
  }, 60_000);
});

describe('signals', () => {
  for (const [sig, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${sig}: the state in flight finishes, nothing new starts, the report so far prints, exit ${code}`, async () => {
      const s = slowTree();
      const p = start(s);
      await running(s);
      p.kill(sig);
      const r = await p;
      expect(r.exitCode).toBe(code);
      expect(r.stderr).toContain(`brine: ${sig}: finishing the states in flight`);
      expect(r.stderr).toContain(`brine: stopped by ${sig}: the states not started did not run`);
      expect(r.stdout).toMatch(/ID: slow[\s\S]*Result: True/);
      expect(r.stdout).not.toContain('ID: after');
      expect(existsSync(join(s.root, 'slept'))).toBe(true);
      expect(existsSync(join(s.root, 'srv/after'))).toBe(false);
      // the lock went with the run
      const again = await start(s, ['--lock-timeout', '0']);
      expect(again.exitCode).toBe(0);
      expect(existsSync(join(s.root, 'srv/after'))).toBe(true);
    }, 60_000);
  }

  it('a second signal abandons the run at once: report so far, exit 130, the lock is free', async () => {
    const s = slowTree(20);
    const p = start(s);
    await running(s);
    const t0 = Date.now();
    p.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    p.kill('SIGINT');
    const r = await p;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain('brine: SIGINT again: abandoning the run');
    expect(existsSync(join(s.root, 'srv/after'))).toBe(false);
    const dry = await start(s, ['--lock-timeout', '0', '--test']);
    expect(dry.exitCode).toBe(2);
    await execa('pkill', ['-f', s.mark], { reject: false });
  }, 60_000);
});

describe('temp files a killed run left', () => {
  it('are removed by the next real run in the directories it writes to, and only those matching brine ' +
    'names', async () => {
    const s = scratch({
      'top.sls': TOP,
      'app.sls': `
conf:
  file.managed:
    - name: /etc/app/app.conf
    - makedirs: true
    - contents: new
`,
    });
    mkdirSync(join(s.root, 'etc/app'), { recursive: true });
    mkdirSync(join(s.root, 'elsewhere'), { recursive: true });
    const old = new Date(Date.now() - 3600_000);
    const files = [
      'etc/app/.app.conf.brine-0123456789ab',
      'etc/app/.app.conf.brine-Ab3xY9',
      'etc/app/.keep',
      'etc/app/.app.conf.brine-bak.20260101T000000',
      'elsewhere/.x.brine-0123456789ab',
    ];
    for (const f of files) {
      writeFileSync(join(s.root, f), 'half');
      utimesSync(join(s.root, f), old, old);
    }
    const dry = await start(s, ['--test']);
    expect(dry.exitCode).toBe(2);
    expect(readdirSync(join(s.root, 'etc/app')).sort()).toEqual([
      '.app.conf.brine-0123456789ab',
      '.app.conf.brine-Ab3xY9',
      '.app.conf.brine-bak.20260101T000000',
      '.keep',
    ]);
    const r = await start(s);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(
      'brine: removed 2 temp file(s) an interrupted run left: /etc/app/.app.conf.brine-0123456789ab, ' +
        '/etc/app/.app.conf.brine-Ab3xY9',
    );
    expect(readdirSync(join(s.root, 'etc/app')).sort()).toEqual([
      '.app.conf.brine-bak.20260101T000000',
      '.keep',
      'app.conf',
    ]);
    expect(existsSync(join(s.root, 'elsewhere/.x.brine-0123456789ab'))).toBe(true);
  }, 60_000);
});
