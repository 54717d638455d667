// cmd.run: runs the command every time (onlyif/unless/creates are the runner's); its output and
// exit code are the result; a non-zero exit (not in success_retcodes) fails the state.
// cmd.wait: does nothing on its own; runs the command only when a watched state changed.
// `bg: True` (both): start the command in the background and do not wait for it (background.ts).

import type { Host } from '../../engine/host/host.js';
import type { ApplyOutput, StateFunction } from '../../engine/contract.js';
import { StateError } from '../../engine/errors.js';
import { runBackground } from './background.js';
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
  const ok = r.exitCode === 0 || (args.success_retcodes ?? []).includes(r.exitCode);
  const hide = args.hide_output || args.output_loglevel === 'quiet';
  const strip = (s: string) => s.replace(/\n$/, '');
  const data: Record<string, unknown> = {
    retcode: r.exitCode,
    stdout: hide ? '<hidden>' : strip(r.stdout),
    stderr: hide ? '<hidden>' : strip(r.stderr),
    duration_ms: Date.now() - started,
  };
  if (r.timedOut) {
    return { result: false, comment: `Command "${args.name}" timed out after ${args.timeout}s`, data };
  }
  return {
    result: ok,
    comment: ok ? `Command "${args.name}" run` : `Command "${args.name}" exited ${r.exitCode}`,
    data,
  };
}

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
};
