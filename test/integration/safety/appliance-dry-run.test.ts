// The dry run of the whole appliance on a fresh Debian 12 (booted, over SSH): everything renders in
// the compile phase, and the stricter deferral (only facts a pending state may create) still lets
// every state say what it would do: exit 2, no state fails, nothing changes on the target.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargets, type Target } from '../../harness/nspawn.js';
import { BRINE, makeTestTree, REPO, type TestTree } from '../appliance/tree.js';

let tree: TestTree;
let target: Target;

beforeAll(async () => {
  tree = makeTestTree();
  [target] = (await startTargets(1)) as [Target];
}, 600_000);
afterAll(async () => {
  await target?.stop();
  tree?.cleanup();
});

function push(extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    BRINE,
    'push',
    `root@127.0.0.1:${target.port}`,
    '-i',
    target.keyPath,
    '--known-hosts',
    target.knownHostsPath,
    '--env',
    tree.env,
    '--states',
    tree.states,
    '--pillar',
    tree.pillar,
    ...extra,
  ];
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      args,
      { cwd: REPO, timeout: 600_000, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
}

describe('appliance dry run on a fresh target', () => {
  it('exit 2, no state fails, the target is unchanged', async () => {
    const before = (await target.ssh('dpkg -l | md5sum; ls -la /etc | md5sum; getent passwd | md5sum')).stdout;
    const r = await push(['--test', '--out', 'json']);
    // a push that printed no report says why on stderr
    expect(r.stdout, `exit ${r.code}: ${r.stderr}`).not.toBe('');
    const doc = JSON.parse(r.stdout) as {
      hosts: Array<{
        status: string;
        error: string | null;
        report: { results: Array<{ id: string; module: string; result: boolean | null; comment: string }> } | null;
      }>;
    };
    const h = doc.hosts[0]!;
    expect(h.error).toBeNull();
    const failed = h.report!.results.filter((x) => x.result === false).map((x) => `${x.module}: ${x.id}: ${x.comment}`);
    expect(failed).toEqual([]);
    expect(r.code).toBe(2);
    expect(h.report!.results.filter((x) => x.result === null).length).toBeGreaterThan(50);
    expect((await target.ssh('dpkg -l | md5sum; ls -la /etc | md5sum; getent passwd | md5sum')).stdout).toBe(before);
  }, 600_000);
});
