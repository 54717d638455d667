// One run at a time per SSH target: a second push to the same host refuses (or waits) while the
// first holds /run/brine.lock on the target; a controller killed mid-run leaves no lock behind.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargets, type Target } from '../../harness/nspawn.js';
import { startBrinePush } from './brine-push.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

describe('run lock over SSH', () => {
  let t: Target;
  const dir = mkdtempSync(join(tmpdir(), 'brine-lock-'));
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');

  const start = (args: string[]) =>
    startBrinePush([`root@127.0.0.1:${t.port}`, ...args], {
      knownHosts: t.knownHostsPath,
      key: t.keyPath,
      states,
      pillar,
      env: join(REPO, 'pillar/default-env.yml'),
    });
  const onTarget = async (pattern: string): Promise<void> => {
    for (let i = 0; i < 600; i++) {
      if ((await t.ssh(`pgrep -f '${pattern}' >/dev/null && echo yes || true`)).stdout.trim() === 'yes') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${pattern} never ran on the target`);
  };

  // holds the lock until the test creates the go file (at most 2 minutes)
  const HOLD =
    'true brine-lock-mark; i=0; while [ ! -e /run/brine-lock-go ] && [ $i -lt 600 ]; do sleep 0.2; ' +
    'i=$((i+1)); done';
  beforeAll(async () => {
    await execa('node', ['scripts/build.mjs'], { cwd: REPO });
    [t] = (await startTargets(1)) as [Target];
    mkdirSync(states);
    mkdirSync(pillar);
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - slow\n");
    writeFileSync(
      join(states, 'slow.sls'),
      `slow:
  cmd.run:
    - name: ${HOLD}
done:
  file.managed:
    - name: /srv/brine-lock-done
    - contents: done
    - require:
      - cmd: slow
`,
    );
  }, 600_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('a second push to the same host refuses while the first runs; with a timeout it waits and then ' +
    'applies', async () => {
    const first = start([]);
    await onTarget('brine-lock-mark');
    const refused = await start(['--lock-timeout', '0']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(
      /another brine run holds \/run\/brine\.lock \(pid \d+ on .* since .*\); not waiting \(--lock-timeout 0\)/,
    );
    expect((await t.ssh('cat /run/brine.lock')).stdout).toMatch(/^pid \d+ on /);
    // the first run holds the lock until the test lets it go: after the third has said it waits
    const waitingRun = start(['--lock-timeout', '120']);
    let said = '';
    waitingRun.stderr?.on('data', (d: Buffer) => {
      said += String(d);
    });
    for (let i = 0; i < 900 && !said.includes('waiting up to'); i++) await new Promise((r) => setTimeout(r, 100));
    await t.ssh('touch /run/brine-lock-go');
    const waiting = await waitingRun;
    const f = await first;
    expect(f.exitCode).toBe(0);
    expect(waiting.exitCode).toBe(0);
    expect(waiting.stderr).toMatch(
      // the notice starts with the host's label, as the push's other notices do (and names it once)
      /brine: root@127\.0\.0\.1:\d+: waiting up to 120 s for the run lock \/run\/brine\.lock \(held by pid \d+/,
    );
    expect((await t.ssh('cat /srv/brine-lock-done')).stdout.trim()).toBe('done');
  }, 300_000);

  it('a controller killed mid-run (SIGKILL) leaves no lock on the target', async () => {
    await t.ssh('rm -f /run/brine-lock-go');
    const p = start([]);
    await onTarget('brine-lock-mark');
    p.kill('SIGKILL');
    await p;
    await t.ssh('touch /run/brine-lock-go');
    // what a killed write leaves next to its target: the next run removes it (older than its lock)
    await t.ssh(
      'printf half > /srv/.brine-lock-done.brine-0123456789ab && touch -d "1 hour ago" ' +
        '/srv/.brine-lock-done.brine-0123456789ab; touch /srv/.keep-me',
    );
    const next = await start(['--lock-timeout', '30']);
    expect(next.stderr).not.toContain('gave up');
    expect(next.stderr).toContain(
      ': removed 1 temp file(s) an interrupted run left: /srv/.brine-lock-done.brine-0123456789ab',
    );
    expect(next.exitCode).toBe(0);
    expect((await t.ssh('ls -A /srv')).stdout.trim().split('\n').sort()).toEqual(['.keep-me', 'brine-lock-done']);
  }, 300_000);
});
