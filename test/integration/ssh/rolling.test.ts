// Rolling pushes over SSH against a fleet of light targets (test/harness/light-target.ts):
// batches in the inventory group's order, a failure budget that stops further batches (exit 5,
// the hosts never touched named and untouched), --test planning batch by batch, and the progress
// a push prints: a line per state off a terminal, a live view (listr2) on one.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type LightTarget } from '../../harness/light-target.js';
import { brinePush, brinePushArgv, pushEnv } from './brine-push.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const ORDER = ['h2', 'h1', 'h3', 'h4', 'h5']; // the group's order, not the hosts'

describe('brine push --batch --max-fail', () => {
  let fleet: Fleet;
  const byName = new Map<string, LightTarget>();
  const dir = mkdtempSync(join(tmpdir(), 'brine-rolling-'));
  const inv = join(dir, 'inventory.yml');
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  const env = join(dir, 'env.yml');

  const setup = () => ({ inventory: inv, knownHosts: fleet.knownHostsPath, key: fleet.keyPath, states, pillar });
  const push = (args: string[], progress = 'lines') =>
    brinePush(['fleet', ...args], setup(), { env: { BRINE_PROGRESS: progress } });
  const rolled = async (name: string) => (await byName.get(name)!.ssh('cat /srv/rolled')).stdout;

  beforeAll(async () => {
    await execa('node', ['scripts/build.mjs'], { cwd: REPO });
    fleet = await startFleet(5);
    fleet.targets.forEach((t, i) => byName.set(`h${i + 1}`, t));
    mkdirSync(states);
    mkdirSync(pillar);
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - roll\n");
    writeFileSync(
      join(states, 'roll.sls'),
      `/srv/rolled:
  file.managed:
    - contents: rolled out
check:
  cmd.run:
    - name: test ! -e /etc/brine-broken && touch /srv/checked
    - creates: /srv/checked
`,
    );
    writeFileSync(join(pillar, 'top.sls'), 'base: {}\n');
    copyFileSync(join(REPO, 'pillar/default-env.yml'), env);
    const hosts = fleet.targets.map((t, i) => `  h${i + 1}: { address: ${t.host}, user: root }`).join('\n');
    writeFileSync(inv, `hosts:\n${hosts}\ngroups:\n  fleet: [${ORDER.join(', ')}]\n`);
    // h3 is broken: its check fails
    expect((await byName.get('h3')!.ssh('touch /etc/brine-broken')).exitCode).toBe(0);
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('--test plans batch by batch in the group order, prints a line per state, changes nothing', async () => {
    const r = await push(['--test', '--batch', '2']);
    expect(r.code, r.stderr).toBe(2);
    const batches = r.stderr.split('\n').filter((l) => l.startsWith('brine: batch '));
    expect(batches).toEqual(['brine: batch 1 of 3: h2, h1', 'brine: batch 2 of 3: h3, h4', 'brine: batch 3 of 3: h5']);
    // a line per state as it finishes, per host, and the host's end
    for (const h of ORDER) {
      expect(r.stderr).toMatch(new RegExp(`^brine: ${h}: \\[1/2\\] would change file\\.managed: /srv/rolled`, 'm'));
      expect(r.stderr).toMatch(new RegExp(`^brine: ${h}: done: would change, 2 changed, 0 failed`, 'm'));
    }
    // a host of batch 2 starts after every host of batch 1 ended
    const firstOf2 = r.stderr.indexOf('brine: h3: connecting');
    expect(firstOf2).toBeGreaterThan(r.stderr.indexOf('brine: h1: done'));
    expect(firstOf2).toBeGreaterThan(r.stderr.indexOf('brine: h2: done'));
    for (const h of ORDER) expect(await rolled(h)).toBe('');
  });

  it('stops once failures pass --max-fail: exit 5, the hosts never started are named and untouched', async () => {
    const r = await push(['--batch', '2', '--max-fail', '0', '--env', env, '--out', 'json']);
    expect(r.code, r.stderr).toBe(5);
    const doc = JSON.parse(r.stdout) as {
      exitCode: number;
      rollout: {
        batches: number;
        batchesRun: number;
        failures: number;
        maxFail: number;
        stopped: string;
        notStarted: string[];
      };
      hosts: { host: string; status: string }[];
    };
    expect(doc.rollout).toMatchObject({
      batches: 3,
      batchesRun: 2,
      failures: 1,
      maxFail: 0,
      stopped: 'budget',
      notStarted: ['h5'],
    });
    expect(doc.hosts.map((h) => [h.host, h.status])).toEqual([
      ['h2', 'ok'],
      ['h1', 'ok'],
      ['h3', 'failed'],
      ['h4', 'ok'],
      ['h5', 'skipped'],
    ]);
    // batch 2 ran whole (h4 alongside the failing h3); h5 was never touched
    for (const h of ['h1', 'h2', 'h3', 'h4']) expect(await rolled(h)).toBe('rolled out');
    expect(await rolled('h5')).toBe('');
    expect(r.stderr).toContain('brine: h5: not started: the rollout stopped');
  });

  it('the text summary says the rollout stopped and names the hosts not started', async () => {
    // 50% of 5 hosts: batches of 3 (h2, h1, h3) and 2 (h4, h5)
    const r = await push(['--batch', '50%', '--max-fail', '0', '--env', env], 'off');
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/^h4\s+not started\s+not started: the rollout stopped$/m);
    expect(r.stdout).toContain(
      'rollout stopped after batch 1 of 2: 1 host(s) failed, more than --max-fail allows (0)\nnot started: h4, h5',
    );
    expect(r.stdout).toContain('5 host(s): 2 ok, 1 failed, 2 not started');
    expect(r.stderr).toBe('brine: batch 1 of 2: h2, h1, h3'); // no progress lines (BRINE_PROGRESS=off), no batch 2
  });

  it('goes on within the budget: every batch runs, the failed host makes it exit 1', async () => {
    const r = await push(['--batch', '1', '--max-fail', '20%', '--env', env, '--out', 'json'], 'off');
    expect(r.code, r.stdout).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      rollout: { batchesRun: number; stopped: string | null };
      hosts: { host: string; status: string }[];
    };
    expect(doc.rollout).toMatchObject({ batchesRun: 5, stopped: null });
    expect(await rolled('h5')).toBe('rolled out');
  });

  it('--max-fail without --batch is a usage error (exit 3), nothing is pushed', async () => {
    const r = await push(['--max-fail', '1', '--env', env], 'off');
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('brine: --max-fail needs --batch (the budget stops further batches)');
  });

  it('on a terminal: a live view with a line per host, then the reports; NO_COLOR holds', async () => {
    await byName.get('h3')!.ssh('rm -f /etc/brine-broken');
    const cmd = ['stty cols 120 rows 40;', ...brinePushArgv(['fleet', '--env', env], setup())].join(' ');
    const r = await execa('script', ['-qec', cmd, '/dev/null'], {
      reject: false,
      env: pushEnv({ env: { BRINE_PROGRESS: '' } }),
      timeout: 300_000,
    });
    expect(r.exitCode, r.stdout).toBe(0);
    // the view's last frame: one line per host with states done/total and the result
    for (const h of ORDER) expect(r.stdout).toMatch(new RegExp(`✔ ${h}\\s+2/2\\s+ok, [0-2] changed, 0 failed \\(\\d`));
    expect(r.stdout).toContain('\x1b[?25l'); // the live view hid the cursor while it drew
    expect(r.stdout).not.toMatch(new RegExp(`${'\x1b'}\\[3\\dm`)); // no colours (an SGR colour sequence)
    expect(r.stdout).not.toContain('brine: h1: [1/2]'); // no log lines on a terminal
    // the reports and the table come after the view
    expect(r.stdout.lastIndexOf('✔ h5')).toBeLessThan(r.stdout.indexOf('HOST'));
  });
});
