// `brine push` as the SSH tests run it: the built CLI, the test's known_hosts and key, no ssh
// config, no agent, no colour; the caller gives the targets and the options of its case.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

export interface PushSetup {
  knownHosts: string;
  key: string;
  states: string;
  pillar: string;
  env?: string;
  inventory?: string;
}

export interface PushRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PushOptions {
  /** Milliseconds before the push is killed (default 300 s). */
  timeoutMs?: number;
  /** More environment (BRINE_PROGRESS...) over NO_COLOR=1 and no SSH agent. */
  env?: Record<string, string>;
}

/** The command line of `brine push ...args` with the setup's files (for a wrapper such as script(1)). */
export function brinePushArgv(args: string[], s: PushSetup): string[] {
  return [
    'node',
    join(REPO, 'bin/brine.mjs'),
    'push',
    ...args,
    ...(s.inventory ? ['--inventory', s.inventory] : []),
    ...['--known-hosts', s.knownHosts, '--ssh-config', '/dev/null', '-i', s.key],
    ...['--states', s.states, '--pillar', s.pillar],
    ...(s.env ? ['--env', s.env] : []),
  ];
}

/** The environment a push runs with: no colour, no agent, plus the caller's. */
export const pushEnv = (o: PushOptions = {}): Record<string, string> => ({
  NO_COLOR: '1',
  SSH_AUTH_SOCK: '',
  ...o.env,
});

/** Starts `brine push ...args`: the running process, to read its stderr as it goes or kill it. */
export function startBrinePush(
  args: string[],
  s: PushSetup,
  o: PushOptions = {},
): ResultPromise<{ reject: false; timeout: number }> {
  const [cmd, ...argv] = brinePushArgv(args, s);
  return execa(cmd!, argv, { reject: false, env: pushEnv(o), timeout: o.timeoutMs ?? 300_000 });
}

/** Runs `brine push ...args` with the setup's files; never rejects (the exit code is returned). */
export async function brinePush(args: string[], s: PushSetup, o: PushOptions = {}): Promise<PushRun> {
  const r = await startBrinePush(args, s, o);
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The state results of the one host of a `--out json` push; throws with the push's stderr if none. */
export function hostResults<R>(r: PushRun): R[] {
  try {
    const doc = JSON.parse(r.stdout) as {
      hosts: Array<{ status: string; error: string | null; report: { results: R[] } | null }>;
    };
    const h = doc.hosts[0]!;
    if (!h.report) throw new Error(`host ${h.status}: ${h.error}`);
    return h.report.results;
  } catch (e) {
    throw new Error(`push printed no report (exit ${r.code}): ${String(e)} ${r.stderr.slice(0, 2000)}`);
  }
}

/** A push test's scratch tree: a temp dir with states/, pillar/ (a top.sls matching nothing), a known_hosts path. */
export function pushTree(prefix: string): { dir: string; kh: string; states: string; pillar: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const tree = { dir, kh: join(dir, 'known_hosts'), states: join(dir, 'states'), pillar: join(dir, 'pillar') };
  mkdirSync(tree.states, { recursive: true });
  mkdirSync(tree.pillar, { recursive: true });
  writeFileSync(join(tree.pillar, 'top.sls'), 'base: {}\n');
  return tree;
}

/**
 * A push tree for a fleet of light targets: pushTree's folders, an inventory path, the default env,
 * and the setup a push to the fleet takes (read when called: the fleet starts in beforeAll).
 */
export function fleetTree(
  prefix: string,
  fleet: () => { knownHostsPath: string; keyPath: string },
): { dir: string; inv: string; states: string; pillar: string; setup: () => PushSetup } {
  const { dir, states, pillar } = pushTree(prefix);
  const inv = join(dir, 'inventory.yml');
  const env = join(REPO, 'pillar/default-env.yml');
  const setup = (): PushSetup => {
    const f = fleet();
    return { inventory: inv, knownHosts: f.knownHostsPath, key: f.keyPath, states, pillar, env };
  };
  return { dir, inv, states, pillar, setup };
}
