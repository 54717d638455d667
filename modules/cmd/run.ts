// cmd.run: runs the command every time (onlyif/unless/creates are the runner's); its output and
// exit code are the result; a non-zero exit (not in success_retcodes) fails the state.
// cmd.wait: does nothing on its own; runs the command only when a watched state changed.
// `bg: True` (both): start the command in the background and do not wait for it (background.ts).

import type { ExecResult, Host } from '../../engine/host/host.js';
import type { ApplyOutput, StateFunction } from '../../engine/contract.js';
import { StateError } from '../../engine/errors.js';
import { backgroundOutput, runBackground } from './background.js';
import { cmdSchema, execOf, type CmdArgs } from './exec-args.js';

export interface CmdRunArgs extends CmdArgs {
  bg?: boolean;
}

const runSchema = { ...cmdSchema, properties: { ...cmdSchema.properties, bg: { type: 'boolean' } } };

function runOrStart(host: Host, args: CmdRunArgs): Promise<ApplyOutput> {
  return args.bg ? runBackground(host, args) : runCommand(host, args);
}

/** Salt refuses stdin for a background command (nothing would read it). */
function checkBg(args: CmdRunArgs, id: string): void {
  if (args.bg && args.stdin !== undefined) throw new StateError(id, 'stdin cannot be used with bg: True');
}

export async function runCommand(host: Host, args: CmdArgs): Promise<ApplyOutput> {
  const { argv, opts } = execOf(args);
  const started = Date.now();
  const r = await host.exec(argv, opts);
  return commandOutput(args, r, Date.now() - started);
}

/** The state's output for a command that ran (here or in a wave's batch). */
export function commandOutput(args: CmdArgs, r: ExecResult, durationMs: number): ApplyOutput {
  const ok = r.exitCode === 0 || (args.success_retcodes ?? []).includes(r.exitCode);
  const hide = args.hide_output || args.output_loglevel === 'quiet';
  const strip = (s: string) => s.replace(/\n$/, '');
  const data: Record<string, unknown> = {
    retcode: r.exitCode,
    stdout: hide ? '<hidden>' : strip(r.stdout),
    stderr: hide ? '<hidden>' : strip(r.stderr),
    duration_ms: durationMs,
  };
  if (r.timedOut) {
    // no timeout of its own: the run's limit for any command (brine push --command-timeout) stopped it
    const after =
      args.timeout !== undefined ? `${args.timeout}s` : `${Math.round(durationMs / 1000)}s (--command-timeout)`;
    return { result: false, comment: `Command "${args.name}" timed out after ${after}`, data };
  }
  return {
    result: ok,
    comment: ok ? `Command "${args.name}" run` : `Command "${args.name}" exited ${r.exitCode}`,
    data,
  };
}

/**
 * Waves (engine/run/wave.ts): the command and its onlyif/unless/creates run in the batch's stream on
 * the target; the output is made from its answer, as runOrStart would have made it.
 */
const commandWave: NonNullable<StateFunction<CmdRunArgs, null>['wave']> = {
  paths: () => [],
  commands: {
    output: (args, [a]) => {
      if (!a) return { result: false, comment: `Command "${args.name}" gave no answer` };
      return args.bg ? backgroundOutput(args, a) : commandOutput(args, a, a.durationMs);
    },
  },
};

export const run: StateFunction<CmdRunArgs, null> = {
  schema: runSchema,
  async gather() {
    return null;
  },
  plan(args, _facts, ctx) {
    checkBg(args, ctx.id);
    return [{ op: 'run', target: args.name }];
  },
  async apply(host, _changes, ctx) {
    return runOrStart(host, ctx.args);
  },
  wave: commandWave,
};

export const wait: StateFunction<CmdRunArgs, null> = {
  schema: runSchema,
  async gather() {
    return null;
  },
  plan(args, _facts, ctx) {
    checkBg(args, ctx.id);
    return [];
  },
  async apply() {},
  refresh: (host, args) => runOrStart(host, args),
  refreshVerb: () => 'run',
  wave: commandWave,
};
