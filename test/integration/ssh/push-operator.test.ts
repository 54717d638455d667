// `brine push` as a fleet operator first tries it: Ctrl-C in a rolling push (the JSON's exit code is
// the process's, the stopped host reads `stopped`), hosts that cannot be reached (their address
// named, a budget's stop message saying unreachable), the same host spelled twice, a lock wait.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/light-target.js';
import { brinePush, brinePushArgv, fleetTree, pushEnv, startBrinePush } from './brine-push.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

interface PushDoc {
  exitCode: number;
  hosts: { host: string; address: string | null; status: string; report: { interrupted?: string } | null }[];
}

describe('brine push, first tries of a fleet operator', () => {
  let fleet: Fleet;
  const { inv, states, setup } = fleetTree('brine-push-operator-', () => fleet);

  beforeAll(async () => {
    await execa('node', ['scripts/build.mjs'], { cwd: REPO });
    fleet = await startFleet(3);
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - marker\n");
    writeFileSync(join(states, 'marker.sls'), '/srv/marker:\n  file.managed:\n    - contents: here\n');
    writeFileSync(
      join(states, 'slow.sls'),
      'nap:\n  cmd.run:\n    - name: sleep 4\n/srv/after:\n  file.managed:\n    - contents: after\n',
    );
    const hosts = fleet.targets.map((t, i) => `  h${i + 1}: { address: ${t.host}, user: root }`).join('\n');
    const h1 = fleet.targets[0]!.host;
    // nothing listens on port 2: the connection is refused
    const refused = `  refused: { address: ${h1}, port: 2, user: root }\n`;
    writeFileSync(inv, `hosts:\n${hosts}\n${refused}groups:\n  fleet: [h1, h2, h3]\n  shaky: [refused, h2, h3]\n`);
  }, 300_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  /** Starts a push, sends SIGINT once its first host reads its facts (its states come next). */
  const interrupted = async (args: string[], again = false) => {
    const run = startBrinePush(args, setup(), { env: { BRINE_PROGRESS: 'lines' } });
    let err = '';
    await new Promise<void>((go) =>
      run.stderr!.on('data', (d: Buffer) => {
        err += String(d);
        if (err.includes('h1: reading facts')) go();
      }),
    );
    await new Promise((r) => setTimeout(r, 1000)); // the command is running on the target
    run.kill('SIGINT');
    if (again) {
      await new Promise((r) => setTimeout(r, 300));
      run.kill('SIGINT');
    }
    return run;
  };

  it('Ctrl-C in a rolling push: --out json says exit 130 as the process does, and which host it stopped', async () => {
    const r = await interrupted(['fleet', '--sls', 'slow', '--batch', '1', '--out', 'json']);
    expect(r.exitCode, r.stderr).toBe(130);
    const doc = JSON.parse(r.stdout) as PushDoc;
    expect(doc.exitCode).toBe(130);
    expect(doc.hosts.map((h) => [h.host, h.status])).toEqual([
      ['h1', 'ok'],
      ['h2', 'skipped'],
      ['h3', 'skipped'],
    ]);
    expect(doc.hosts[0]!.report?.interrupted).toBe('SIGINT');
    // the command in flight finished, the state after it never ran, the later batches never started
    expect((await fleet.targets[0]!.ssh('test -e /srv/after')).exitCode).toBe(1);
    expect((await fleet.targets[1]!.ssh('test -e /srv/after')).exitCode).toBe(1);
  });

  it('Ctrl-C in a rolling push: the table says the host was stopped, not ok', async () => {
    const r = await interrupted(['fleet', '--sls', 'slow', '--batch', '1']);
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stdout).toContain('Stopped:   by SIGINT: the states not started did not run\n');
    expect(r.stdout).toMatch(/^h1\s+stopped\s+\d+\s+\d+\s+0\s/m);
    expect(r.stdout).toContain('3 host(s): 1 stopped, 2 not started\nrollout stopped');
  });

  it('a host that cannot be reached: its address is named, and a budget it passes stops as unreachable', async () => {
    const args = ['shaky', '--test', '--batch', '1', '--max-fail', '0', '--quiet'];
    const json = await brinePush([...args, '--out', 'json'], setup());
    expect(json.code, json.stderr).toBe(5);
    const doc = JSON.parse(json.stdout) as PushDoc;
    const address = `root@${fleet.targets[0]!.host}:2`;
    expect(doc.hosts[0]).toMatchObject({ host: 'refused', address, status: 'unreachable' });
    const text = await brinePush(args, setup());
    expect(text.code).toBe(5);
    expect(text.stdout).toContain(`=== refused (${address}) ===\nunreachable: connect ECONNREFUSED`);
    expect(text.stdout).toContain(
      'rollout stopped after batch 1 of 3: 1 host(s) unreachable, more than --max-fail allows (0)\n' +
        'not started: h2, h3',
    );
  });

  it('a wait for the run lock: the live view shows it as the host phase, the notice starts with the host', async () => {
    const t = fleet.targets[2]!;
    const holder = t.ssh('flock /run/brine.lock sleep 5');
    await new Promise((r) => setTimeout(r, 1000));
    const cmd = ['stty cols 200 rows 20;', ...brinePushArgv(['h3', '--test'], setup())].join(' ');
    const r = await execa('script', ['-qec', cmd, '/dev/null'], {
      reject: false,
      env: pushEnv({ env: { BRINE_PROGRESS: '' } }),
      timeout: 120_000,
    });
    await holder;
    expect(r.exitCode, r.stdout).toBe(2);
    // the host's line said what it waited for, not the phase before the wait (compiling)
    expect(r.stdout).toMatch(/ h3\s+waiting for the run lock\s+\d/);
    expect(r.stdout).toContain('brine: h3: waiting up to 300 s for the run lock /run/brine.lock on root@');
  });

  it("Salt's -b N rolls out batch by batch as --batch does", async () => {
    const r = await brinePush(['fleet', '--test', '-b', '2'], setup(), { env: { BRINE_PROGRESS: 'lines' } });
    expect(r.code, r.stderr).toBe(2);
    const batches = r.stderr.split('\n').filter((l) => l.startsWith('brine: batch '));
    expect(batches).toEqual(['brine: batch 1 of 2: h1, h2', 'brine: batch 2 of 2: h3']);
    const bad = await brinePush(['fleet', '-b', '0'], setup());
    expect([bad.code, bad.stderr]).toEqual([
      3,
      "brine: --batch must be a positive integer or a percentage (N or N%), got '0'",
    ]);
  });

  it('Ctrl-C twice (abandon) during a command: the script on the target removes its temp directory', async () => {
    const tmpDirs = async () => (await fleet.targets[0]!.ssh('find /tmp -maxdepth 1 -name "tmp.*"')).stdout.trim();
    expect(await tmpDirs()).toBe('');
    await fleet.targets[0]!.ssh('rm -f /srv/after');
    const r = await interrupted(['h1', '--sls', 'slow'], true);
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGINT again: abandoning the run');
    // the command (sleep 4) ends on the target after the connection is gone; its script then ends
    await new Promise((res) => setTimeout(res, 6000));
    expect(await tmpDirs()).toBe('');
  });

  it("a group's name mistyped: the host it is taken for is said to be no group of the inventory", async () => {
    const r = await brinePush(['flet', '--test', '--quiet'], setup());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^flet\s+unreachable\s.*ENOTFOUND flet \(not a host or group of .*inventory\.yml\)$/m);
  });
});
