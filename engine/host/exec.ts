// Helpers for modules that run commands through a Host.

import { CommandError } from '../errors.js';
import type { ExecOptions, ExecResult, Host } from './host.js';

/** Runs argv and throws CommandError on a non-zero exit. */
export async function mustExec(host: Host, argv: string[], opts?: ExecOptions, what?: string): Promise<ExecResult> {
  const r = await host.exec(argv, opts);
  if (r.exitCode !== 0) throw new CommandError(r, what);
  return r;
}

/** Quotes one word for a POSIX shell. */
export function shQuote(s: string): string {
  if (s === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs a POSIX shell script (`sh -c`), with positional args $1.. passed safely. */
export function shell(host: Host, script: string, args: string[] = [], opts?: ExecOptions): Promise<ExecResult> {
  return host.exec(['sh', '-c', script, 'sh', ...args], opts);
}

/**
 * Whether `timeout -k ... LIMIT cmd` ended the command: it exited 124 (SIGTERM'd) or 137 (killed
 * after ignoring SIGTERM) and ran for its limit. A command that exits 124 or 137 by itself sooner
 * keeps its own exit code and is not reported as timed out.
 */
export function endedByTimeout(exitCode: number, elapsedMs: number, limitMs: number): boolean {
  return limitMs > 0 && (exitCode === 124 || exitCode === 137) && elapsedMs >= limitMs - 20;
}
