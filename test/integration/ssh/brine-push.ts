// `brine push` as the SSH tests run it: the built CLI, the test's known_hosts and key, no ssh
// config, no agent, no colour; the caller gives the targets and the options of its case.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

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

/** Runs `brine push ...args` with the setup's files; never rejects (the exit code is returned). */
export async function brinePush(args: string[], s: PushSetup): Promise<PushRun> {
  const r = await execa(
    'node',
    [
      join(REPO, 'bin/brine.mjs'),
      'push',
      ...args,
      ...(s.inventory ? ['--inventory', s.inventory] : []),
      ...['--known-hosts', s.knownHosts, '--ssh-config', '/dev/null', '-i', s.key],
      ...['--states', s.states, '--pillar', s.pillar],
      ...(s.env ? ['--env', s.env] : []),
    ],
    { reject: false, env: { NO_COLOR: '1', SSH_AUTH_SOCK: '' }, timeout: 300_000 },
  );
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
