// cmd.run: runs the command every time (onlyif/unless/creates are the runner's); its output and
// exit code are the result; a non-zero exit (not in success_retcodes) fails the state.
// cmd.wait: does nothing on its own; runs the command only when a watched state changed.

import type { Host } from '../../engine/host/host.js';
import type { ApplyOutput, StateFunction } from '../../engine/contract.js';
import { cmdSchema, execOf, type CmdArgs } from './exec-args.js';

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

export const run: StateFunction<CmdArgs, null> = {
  schema: cmdSchema,
  async gather() {
    return null;
  },
  plan(args) {
    return [{ op: 'run', target: args.name }];
  },
  async apply(host, _changes, ctx) {
    return runCommand(host, ctx.args);
  },
};

export const wait: StateFunction<CmdArgs, null> = {
  schema: cmdSchema,
  async gather() {
    return null;
  },
  plan() {
    return [];
  },
  async apply() {},
  refresh: (host, args) => runCommand(host, args),
  refreshVerb: () => 'run',
};
