// How a cmd state's arguments become one Host.exec call: the command string through a shell
// (`sh -c` unless `shell` names another), or an argv list as is; env (dict or list of dicts),
// cwd, runas, stdin, timeout.

import type { ExecOptions } from '../../engine/host/host.js';

export interface CmdArgs {
  name: string;
  argv?: string[];
  cwd?: string;
  env?: Record<string, unknown> | Array<Record<string, unknown>>;
  runas?: string;
  stdin?: string;
  shell?: string;
  timeout?: number;
  output_loglevel?: string;
  hide_output?: boolean;
  success_retcodes?: number[];
}

export const cmdSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    argv: { type: 'array', items: { type: 'string' }, minItems: 1 },
    cwd: { type: 'string', pattern: '^/' },
    env: { anyOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] },
    runas: { type: 'string' },
    stdin: { type: 'string' },
    shell: { type: 'string' },
    timeout: { type: 'number', exclusiveMinimum: 0 },
    output_loglevel: { type: 'string' },
    hide_output: { type: 'boolean' },
    success_retcodes: { type: 'array', items: { type: 'integer' } },
  },
  required: ['name'],
  additionalProperties: false,
};

export function envOf(env: CmdArgs['env']): Record<string, string> | undefined {
  if (!env) return undefined;
  const list = Array.isArray(env) ? env : [env];
  const out: Record<string, string> = {};
  for (const m of list) for (const [k, v] of Object.entries(m)) out[k] = v === null || v === undefined ? '' : String(v);
  return out;
}

export function execOf(args: CmdArgs): { argv: string[]; opts: ExecOptions } {
  const argv = args.argv ?? [args.shell ?? 'sh', '-c', args.name];
  const opts: ExecOptions = {};
  const env = envOf(args.env);
  if (env) opts.env = env;
  if (args.cwd) opts.cwd = args.cwd;
  if (args.runas) opts.user = args.runas;
  if (args.stdin !== undefined) opts.stdin = args.stdin;
  if (args.timeout) opts.timeoutMs = Math.round(args.timeout * 1000);
  return { argv, opts };
}
