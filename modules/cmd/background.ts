// cmd.run/cmd.wait with `bg: True`, as Salt's cmd.run_bg: the command starts in its own session
// (it outlives the connection that started it), its output goes nowhere, and the state is done
// as soon as it started: result true and the pid, without waiting for the command to finish.

import type { ApplyOutput } from '../../engine/contract.js';
import type { ExecResult, Host } from '../../engine/host/host.js';
import { type CmdArgs, execOf } from './exec-args.js';

/** The shell that starts ARGV detached and prints its pid. */
export const BG_LAUNCHER = 'setsid "$@" </dev/null >/dev/null 2>&1 & echo $!';

export async function runBackground(host: Host, args: CmdArgs): Promise<ApplyOutput> {
  const { argv, opts } = execOf(args);
  // the timeout is for the launcher only (Salt ignores `timeout` for a background command)
  const r = await host.exec(['sh', '-c', BG_LAUNCHER, 'sh', ...argv], { ...opts, stdin: undefined, timeoutMs: 60_000 });
  return backgroundOutput(args, r);
}

/** The state's output once the launcher answered (here or in a wave's batch). */
export function backgroundOutput(args: CmdArgs, r: ExecResult): ApplyOutput {
  const pid = Number.parseInt(r.stdout.trim(), 10);
  if (r.exitCode !== 0 || !Number.isInteger(pid)) {
    const why = r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.exitCode}`;
    return { result: false, comment: `Command "${args.name}" could not be started in the background: ${why}` };
  }
  return { result: true, comment: `Command "${args.name}" started in the background`, data: { pid } };
}
