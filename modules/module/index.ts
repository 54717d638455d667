// module.run / module.wait: call execution functions (service.restart, cmd.run, file.*...) from a
// state, in Salt's new (`- service.restart: [nginx]`) or old (`name: service.restart`) syntax.
// module.run calls every time; module.wait only when a watched state changed (like cmd.wait).
import { StateError } from '../../engine/errors.js';
import type { ApplyOutput, Change, JSONSchema, StateFunction, StateModule } from '../../engine/contract.js';
import { type Call, callLabel, callsOf } from './calls.js';
import { FUNCTIONS, FUNCTION_NAMES, type FnResult } from './functions.js';

type Args = Record<string, unknown> & { name: string };

const callValue = {
  anyOf: [
    { type: 'array' },
    { type: 'object' },
    { type: 'null' },
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
  ],
};
const paramNames = [...new Set(Object.values(FUNCTIONS).flatMap((f) => f.params))].filter((p) => p !== 'name');

/** Function names are the keys of the new syntax; the old syntax passes the function's own parameters. */
export const moduleSchema: JSONSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    m_name: {},
    args: { type: 'array' },
    kwargs: { type: 'object' },
    ...Object.fromEntries(FUNCTION_NAMES.map((f) => [f, callValue])),
    ...Object.fromEntries(paramNames.map((p) => [p, {}])),
  },
  required: ['name'],
  additionalProperties: false,
  // the old syntax (no function keys): name must be a function brine has
  if: { not: { anyOf: FUNCTION_NAMES.map((f) => ({ required: [f] })) } },
  then: { properties: { name: { enum: FUNCTION_NAMES } } },
};

function plan(args: Args): Change[] {
  return callsOf(args).map((c) => ({ op: 'run', target: callLabel(c) }));
}

async function call(host: Parameters<StateFunction['apply']>[0], calls: Call[], state: string): Promise<ApplyOutput> {
  const data: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const c of calls) {
    let r: FnResult;
    try {
      r = await FUNCTIONS[c.fn]!.run(host, c.args, c.rest);
    } catch (e) {
      throw new StateError(state, `${c.fn} failed: ${(e as Error).message}`);
    }
    data[c.fn] = { ret: r.ret };
    if (!r.result) failed.push(c.fn);
  }
  return failed.length
    ? { result: false, comment: `${failed.join(', ')} failed`, data }
    : { comment: `${calls.map((c) => c.fn).join(', ')} ran`, data };
}

export const run: StateFunction<Args, null> = {
  schema: moduleSchema,
  gather: async () => null,
  plan: (args) => plan(args),
  apply: (host, _changes, ctx) => call(host, callsOf(ctx.args), ctx.name),
};

export const wait: StateFunction<Args, null> = {
  schema: moduleSchema,
  gather: async () => null,
  plan(args) {
    callsOf(args); // a wrong call fails the state in the dry run too
    return [];
  },
  async apply() {},
  refresh: (host, args) => call(host, callsOf(args), args.name),
  refreshVerb: () => 'run',
};

export const modules: Record<string, StateModule> = {
  module: { run, wait },
};
