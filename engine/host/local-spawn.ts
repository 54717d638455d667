// A local command as a process of its own, started by node (execa): the reference semantics of the
// local transport's commands (local-helper.ts runs them the same way, cheaper), and the way for a
// command that would fail to start (its error is reported as it always was).
import { constants } from 'node:os';
import { execa } from 'execa';

/** A command: argv, its whole environment, cwd (a directory), its stdin, a timeout (ms). */
export interface LocalCommand {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  stdin?: string | Buffer;
  timeoutMs?: number;
}

/** How it ended: exit code (128+N for signal N, 124 when the timeout ended it), its output. */
export interface LocalCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export async function spawnCommand(c: LocalCommand): Promise<LocalCommandResult> {
  // Own process group, so a timeout kills the command and everything it started (a shell's
  // children would otherwise keep the pipes open until they finish).
  const sub = execa(c.argv[0]!, c.argv.slice(1), {
    env: c.env,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    cwd: c.cwd,
    detached: true,
    input: c.stdin,
    stdin: c.stdin === undefined ? 'ignore' : 'pipe',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  let timedOut = false;
  const timer =
    c.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          try {
            if (sub.pid) process.kill(-sub.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, c.timeoutMs)
      : undefined;
  const r = await sub;
  if (timer) clearTimeout(timer);
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  let stderr = typeof r.stderr === 'string' ? r.stderr : '';
  let exitCode = r.exitCode ?? (r.signal ? 128 + (constants.signals[r.signal] ?? 0) : 1);
  if (r.exitCode === undefined && !r.signal && r.failed) {
    // spawn failure (command not found, bad cwd): a result, like a shell would report it
    exitCode = (r as { code?: string }).code === 'ENOENT' ? 127 : 126;
    stderr = stderr || `${r.shortMessage}\n`;
  }
  return { exitCode: timedOut ? 124 : exitCode, stdout, stderr, timedOut };
}
