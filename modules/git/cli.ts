// The git CLI through a Host: argv arrays, run as the state's user, never prompting for
// credentials, English messages, and the ssh key of `identity` for ssh remotes.

import { CommandError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { ExecResult, Host } from '../../engine/host/host.js';
import { shQuote } from '../../engine/host/exec.js';

export interface GitRunOptions {
  user?: string;
  /** Private key file(s) on the host for ssh remotes (Salt's identity). */
  identity?: string | string[];
  cwd?: string;
  timeoutMs?: number;
  readOnly?: boolean;
  /** Repositories git may use although another user owns them (safe.directory): the checkout, a local remote. */
  trust?: string[];
}

function env(o: GitRunOptions): Record<string, string> {
  const e: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_ASKPASS: 'true' };
  const ids = o.identity === undefined ? [] : Array.isArray(o.identity) ? o.identity : [o.identity];
  if (ids.length)
    e.GIT_SSH_COMMAND = ['ssh', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', ...ids.flatMap((i) => ['-i', i])]
      .map(shQuote)
      .join(' ');
  return e;
}

/** Runs `git ARGS` in `dir` (when given); a non-zero exit is a result. */
export function git(host: Host, dir: string | null, args: string[], o: GitRunOptions = {}): Promise<ExecResult> {
  // A checkout (or a local remote) owned by another user than the one running git is still ours
  // to manage; -c reaches the upload-pack git runs for a local remote too.
  const trusted = [...new Set([...(dir ? [dir] : []), ...(o.trust ?? [])])];
  const pre = [...trusted.flatMap((d) => ['-c', `safe.directory=${d}`]), ...(dir ? ['-C', dir] : [])];
  return host.exec(['git', ...pre, ...args], {
    env: env(o),
    user: o.user,
    timeoutMs: o.timeoutMs ?? 600_000,
    readOnly: o.readOnly,
  });
}

/** Runs `git ARGS` and throws CommandError (with `what`) on a non-zero exit. */
export async function mustGit(
  host: Host,
  dir: string | null,
  args: string[],
  o: GitRunOptions,
  what: string,
): Promise<ExecResult> {
  const r = await git(host, dir, args, o);
  if (r.exitCode !== 0) throw new CommandError(r, what);
  return r;
}

/**
 * A user git runs as must exist (a dry run then reports the state "would change after" the
 * pending user.present that creates it, instead of git's runuser error).
 */
export async function assertUser(host: Host, user: string, state: string): Promise<void> {
  const r = await host.exec(['getent', 'passwd', user], { readOnly: true });
  if (r.exitCode === 2) throw new MissingFactError('user', user, state, `user '${user}' does not exist`);
  if (r.exitCode !== 0) throw new CommandError(r, `getent passwd ${user}`);
}
