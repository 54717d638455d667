// `brine push --sls ...` of the appliance test tree to a docker target, with its JSON report: the
// focused appliance tests (certificates, metrics) apply a few SLS, not the whole highstate.
import type { DockerTarget } from '../../harness/docker-target.js';
import { brine, hostReport, type JsonResult, type Run } from './helpers.js';
import type { TestTree } from './tree.js';

export { changed, failures } from './helpers.js';

export function pushSls(
  t: DockerTarget,
  tree: TestTree,
  env: string,
  sls: string[],
  timeoutMs = 900_000,
): Promise<Run> {
  const args = ['push', `root@${t.ip}`, '-i', t.keyPath, '--known-hosts', t.knownHostsPath];
  return brine(
    [...args, '--env', env, '--states', tree.states, '--pillar', tree.pillar, '--out', 'json', '--sls', ...sls],
    timeoutMs,
  );
}

/** The host's results; throws with the output when there is no report. */
export function results(run: Run): JsonResult[] {
  return hostReport(run).results;
}

/** Runs cmd on the target; fails with its output unless it exits 0. */
export async function onTarget(t: DockerTarget, cmd: string, stdin?: string): Promise<string> {
  const r = await t.ssh(cmd, stdin === undefined ? {} : { stdin });
  if (r.exitCode !== 0) {
    throw new Error(`on the target: ${cmd}\nexit ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return r.stdout;
}
