// What an operator sees pushing to a fleet of light targets (test/harness/light-target.ts): the
// log line for a run that seems stuck names every state of a command wave (they run in one script),
// a terminal with fewer rows than hosts keeps the running and failed hosts on screen under a count
// of the hosts by state, and a rollout whose hosts all fail to compile exits 3 (the input is wrong).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/light-target.js';
import { brinePush, brinePushArgv, fleetTree, hostResults, pushEnv } from './brine-push.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

describe('brine push to a fleet, as the operator sees it', () => {
  let fleet: Fleet;
  const { dir, inv, states, setup } = fleetTree('brine-fleet-progress-', () => fleet);

  beforeAll(async () => {
    await execa('node', ['scripts/build.mjs'], { cwd: REPO });
    fleet = await startFleet(5);
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - waves\n");
    // two commands in a row run in one script on the target; the second is the slow one
    writeFileSync(
      join(states, 'waves.sls'),
      `/srv/marker:
  file.managed:
    - contents: here
quick:
  cmd.run:
    - name: touch /srv/quick
slow:
  cmd.run:
    - name: test -e /etc/brine-slow && sleep 12; touch /srv/slow
`,
    );
    writeFileSync(join(states, 'nap.sls'), 'nap:\n  cmd.run:\n    - name: sleep 5\n');
    writeFileSync(join(states, 'hang.sls'), 'hang:\n  cmd.run:\n    - name: sleep 30\n');
    writeFileSync(join(states, 'stamp.sls'), 'stamp:\n  cmd.run:\n    - name: date +%s.%N > /srv/stamp\n');
    writeFileSync(join(states, 'broken.sls'), 'oops:\n  file.managed:\n    - name: /srv/x\n    - mdoe: 644\n');
    const hosts = fleet.targets.map((t, i) => `  h${i + 1}: { address: ${t.host}, user: root }`).join('\n');
    writeFileSync(inv, `hosts:\n${hosts}\ngroups:\n  fleet: [h1, h2, h3, h4, h5]\n`);
  }, 300_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  it('the tally under the table uses the STATUS column words (would change, not pending)', async () => {
    const r = await brinePush(['fleet', '--test', '--quiet'], setup());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^h1\s+would change\s/m);
    expect(r.stdout).toContain('5 host(s): 5 would change');
  });

  it('off a terminal, the line for a stuck run names every state of the command wave', async () => {
    expect((await fleet.targets[0]!.ssh('touch /etc/brine-slow')).exitCode).toBe(0);
    const r = await brinePush(['h1'], setup(), { env: { BRINE_PROGRESS: 'lines' } });
    expect(r.code, r.stderr).toBe(0);
    const still = r.stderr.split('\n').filter((l) => l.includes('still running'));
    expect(still.length, r.stderr).toBeGreaterThan(0);
    // both commands run in the one script: the line names them both, not only the first
    expect(still[0]).toMatch(/^brine: h1: still running cmd\.run: quick \(touch \/srv\/quick\), cmd\.run: slow \(/);
    expect(still[0]).toMatch(/\) \(one script on the target\) \(1\ds\)$/);
    expect(r.stderr).toMatch(/^brine: h1: \[3\/3\] changed cmd\.run: slow .* \(1\ds\)$/m);
  });

  it('on a terminal with fewer rows than hosts: a count of the hosts by state, the running ones under it', async () => {
    // h2 fails, h3 is slow: the screen of 9 rows (the notes take 3) shows them, not a list of 5 hosts
    // cut at its top
    expect((await fleet.targets[1]!.ssh('ln -s /nonexistent/dir/x /srv/quick')).exitCode).toBe(0);
    expect((await fleet.targets[2]!.ssh('touch /etc/brine-slow')).exitCode).toBe(0);
    const cmd = ['stty cols 100 rows 9;', ...brinePushArgv(['fleet', '--batch', '2'], setup())].join(' ');
    const r = await execa('script', ['-qec', cmd, '/dev/null'], {
      reject: false,
      env: pushEnv({ env: { BRINE_PROGRESS: '' } }),
      timeout: 300_000,
    });
    expect(r.exitCode, r.stdout).toBe(1);
    // while the second batch runs: the counts, and h3 (running its slow command) on the line under them
    expect(r.stdout).toMatch(/5 hosts: [12] ok, 1 failed, [12] running, 1 waiting\r?\n\s+› h2\s+3\/3\s+failed, /);
    expect(r.stdout).toMatch(/\s+h3\s+1\/3\s+running cmd\.run: quick \(touch \/srv\/quick\), cmd\.run: slow /);
    // the last frame: the counts and the failed host, then the reports and the table
    const last = r.stdout.lastIndexOf('5 hosts: 4 ok, 1 failed');
    expect(last, r.stdout).toBeGreaterThan(0);
    expect(r.stdout.indexOf('› h2', last)).toBeLessThan(r.stdout.indexOf('HOST', last));
    expect(r.stdout).toContain('5 host(s): 4 ok, 1 failed');
  });

  it('a rollout stopped by hosts that fail to compile exits 3: the input is wrong, nothing changed', async () => {
    const r = await brinePush(['fleet', '--sls', 'broken', '--batch', '1', '--max-fail', '0', '--quiet'], setup());
    expect(r.code, r.stdout).toBe(3);
    expect(r.stdout).toMatch(/^h1\s+error\s.*broken\.sls:4: state 'oops' \(file\.managed\): unknown argument 'mdoe'/m);
    expect(r.stdout).toContain('not started: h2, h3, h4, h5');
    for (const t of fleet.targets) expect((await t.ssh('test -e /srv/x')).exitCode).toBe(1);
  });

  it("--batch-wait (Salt's) pauses between batches, not after the last", async () => {
    const t0 = Date.now();
    const r = await brinePush(['h1', 'h2', 'h3', '--sls', 'stamp', '--batch', '2', '--batch-wait', '4'], setup(), {
      env: { BRINE_PROGRESS: 'lines' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('brine: waiting 4s before batch 2 of 2 (--batch-wait)\nbrine: batch 2 of 2: h3\n');
    const stamp = async (i: number) => Number((await fleet.targets[i]!.ssh('cat /srv/stamp')).stdout);
    const [a, b, c] = [await stamp(0), await stamp(1), await stamp(2)];
    expect(c - Math.max(a, b)).toBeGreaterThanOrEqual(4);
    expect(Date.now() - t0).toBeLessThan(60_000);
    const bad = await brinePush(['h1', '--batch-wait', '4'], setup());
    expect([bad.code, bad.stderr.trim()]).toEqual([3, 'brine: --batch-wait needs --batch']);
  });

  it('a command that hangs fails its state at --command-timeout, which the comment names', async () => {
    const r = await brinePush(['h4', '--sls', 'hang', '--command-timeout', '3', '--out', 'json'], setup());
    expect(r.code, r.stderr).toBe(1);
    const res = hostResults<{ id: string; result: boolean; comment: string }>(r);
    expect(res.map((x) => [x.id, x.result, x.comment])).toEqual([
      ['hang', false, 'Command "sleep 30" timed out after 3s (--command-timeout)'],
    ]);
  });

  it('on a terminal, notices show in the live view as they come: a lock wait, a signal', async () => {
    const t = fleet.targets[4]!;
    const holder = t.ssh('flock /run/brine.lock sleep 6');
    await new Promise((r) => setTimeout(r, 1000));
    const pidFile = join(dir, 'push.pid');
    const push = brinePushArgv(['h5', '--sls', 'nap'], setup()).join(' ');
    const cmd = `stty cols 200 rows 20; ${push} & echo $! > ${pidFile}; wait $!`;
    const run = execa('script', ['-qec', cmd, '/dev/null'], {
      reject: false,
      env: pushEnv({ env: { BRINE_PROGRESS: '' } }),
      timeout: 120_000,
    });
    await holder; // the push got the lock now, and runs its 5 s command
    await new Promise((r) => setTimeout(r, 2500));
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
    const r = await run;
    expect(r.exitCode, r.stdout).toBe(143);
    // both notices were drawn while the view ran, before its last frame (not held until it ended)
    const lastFrame = r.stdout.lastIndexOf('✔ h5');
    expect(lastFrame, r.stdout).toBeGreaterThan(0);
    const wait = r.stdout.indexOf('waiting up to 300 s for the run lock /run/brine.lock');
    expect(wait, r.stdout).toBeGreaterThan(0);
    expect(wait).toBeLessThan(lastFrame);
    const signal = r.stdout.indexOf('SIGTERM: finishing the states in flight, starting no more');
    expect(signal, r.stdout).toBeGreaterThan(0);
    expect(signal).toBeLessThan(lastFrame);
  });

  it('--out markdown of a stopped rollout says so under the table and names the hosts not started', async () => {
    const args = ['h1', 'h2', '--sls', 'hang', '--command-timeout', '2', '--batch', '1', '--max-fail', '0'];
    const r = await brinePush([...args, '--out', 'markdown', '--quiet'], setup());
    expect(r.code, r.stdout).toBe(5);
    expect(r.stdout).toContain('| `h2` | not started: the rollout stopped |');
    expect(r.stdout).toContain(
      '**rollout stopped after batch 1 of 2: 1 host(s) failed, more than --max-fail allows (0); not started: h2**',
    );
  });
});
