// cmd.script: a script from the state tree (salt://, optionally a jinja template) copied to a
// private temp file on the host, run with args (through `shell`, default sh), then removed.

import type { StateCtx, StateFunction } from '../../engine/contract.js';
import { StateError } from '../../engine/errors.js';
import { shQuote } from '../../engine/host/exec.js';
import { runCommand } from './run.js';
import { cmdSchema, type CmdArgs } from './exec-args.js';

export interface ScriptArgs extends CmdArgs {
  source?: string;
  args?: string;
  template?: string | null;
  context?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
}

const schema = {
  ...cmdSchema,
  properties: {
    ...cmdSchema.properties,
    source: { type: 'string' },
    args: { type: 'string' },
    template: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    context: { type: 'object' },
    defaults: { type: 'object' },
  },
};

async function scriptBody(args: ScriptArgs, ctx: StateCtx<ScriptArgs>): Promise<string> {
  const source = args.source ?? args.name;
  if (!source.startsWith('salt://') && !source.startsWith('/'))
    throw new StateError(ctx.id, `source '${source}' must be salt:// or an absolute path`);
  const body = (await ctx.readSource(source)).toString('utf8');
  return args.template ? ctx.renderTemplate(body, source, { ...(args.defaults ?? {}), ...(args.context ?? {}) }) : body;
}

export const script: StateFunction<ScriptArgs, null> = {
  schema,
  async gather() {
    return null;
  },
  plan(args) {
    return [{ op: 'run', target: args.source ?? args.name }];
  },
  // the script is read and rendered in the compile phase: a missing source or a broken template
  // stops the run before its first change
  prepare: (args, ctx) => scriptBody(args, ctx),
  async apply(host, _changes, ctx) {
    const { args } = ctx;
    const body = typeof ctx.prepared === 'string' ? ctx.prepared : await scriptBody(args, ctx);
    const mk = await host.exec(['mktemp', '/tmp/brine-script.XXXXXXXX']);
    if (mk.exitCode !== 0) throw new StateError(ctx.id, `cannot create a temp file: ${mk.stderr.trim()}`);
    const tmp = mk.stdout.trim();
    try {
      await host.exec(['sh', '-c', 'cat > "$1" && chmod 755 "$1"', 'sh', tmp], { stdin: body });
      if (args.runas) await host.exec(['chown', args.runas, tmp]);
      const cmdline = `${shQuote(tmp)}${args.args ? ' ' + args.args : ''}`;
      const shell = args.shell ?? 'sh';
      return await runCommand(host, {
        ...args,
        name: `${shell} ${cmdline}`,
        argv: [shell, '-c', `${shQuote(shell)} ${cmdline}`],
      });
    } finally {
      await host.exec(['rm', '-f', tmp]);
    }
  },
};
