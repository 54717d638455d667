// `brine push --sls ...` of the appliance test tree to a docker target, with its JSON report: the
// focused appliance tests (certificates, metrics) apply a few SLS, not the whole highstate.
import { execFile } from 'node:child_process';
import type { DockerTarget } from '../../harness/docker-target.js';
import { BRINE, REPO, type TestTree } from './tree.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface JsonResult {
  id: string;
  module: string;
  function: string;
  result: boolean | null;
  comment: string;
  changes: Array<{ op: string; target: string; diff?: string }>;
}

export function pushSls(
  t: DockerTarget, tree: TestTree, env: string, sls: string[], timeoutMs = 900_000,
): Promise<Run> {
  const args = [
    BRINE, 'push', `root@${t.ip}`, '-i', t.keyPath, '--known-hosts', t.knownHostsPath,
    '--env', env, '--states', tree.states, '--pillar', tree.pillar, '--out', 'json', '--sls', ...sls,
  ];
  return new Promise((resolve) => {
    const opts = { cwd: REPO, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } };
    execFile(process.execPath, args, opts, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The host's results; throws with the output when there is no report. */
export function results(run: Run): JsonResult[] {
  let doc: { hosts: Array<{ status: string; error: string | null; report: { results: JsonResult[] } | null }> };
  try {
    doc = JSON.parse(run.stdout);
  } catch {
    throw new Error(`push --out json printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
  }
  const h = doc.hosts[0]!;
  if (!h.report) throw new Error(`push: host ${h.status}: ${h.error}`);
  return h.report.results;
}

export const failures = (rs: JsonResult[]) =>
  rs.filter((r) => r.result === false).map((r) => `${r.id} (${r.module}.${r.function}): ${r.comment}`);
export const changed = (rs: JsonResult[]) =>
  rs.filter((r) => r.changes.length > 0 || r.result === null).map((r) => `${r.module}.${r.function} ${r.id}`);

/** Runs cmd on the target; fails with its output unless it exits 0. */
export async function onTarget(t: DockerTarget, cmd: string, stdin?: string): Promise<string> {
  const r = await t.ssh(cmd, stdin === undefined ? {} : { stdin });
  if (r.exitCode !== 0) {
    throw new Error(`on the target: ${cmd}\nexit ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return r.stdout;
}
