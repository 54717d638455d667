// module.run's two syntaxes -> a list of calls, bound to the function's parameters.
//   new (Salt >= 3005):  - service.restart: [nginx]      - cmd.run: [{cmd: 'x', cwd: /tmp}]
//   old:                 - name: service.restart  - m_name: nginx   (other keys: the function's kwargs)
import { StateError } from '../../engine/errors.js';
import { FUNCTIONS, FUNCTION_NAMES, type ExecFunction } from './functions.js';

export interface Call {
  fn: string;
  /** Bound by parameter name. */
  args: Record<string, unknown>;
  /** Extra positional arguments (*args). */
  rest: unknown[];
}

/** Keys of the state itself (not function calls). */
const OWN = new Set(['name', 'm_name', 'args', 'kwargs']);

export const isFunctionKey = (k: string): boolean => k.includes('.');

function bind(
  state: string,
  name: string,
  spec: ExecFunction,
  positional: unknown[],
  kwargs: Record<string, unknown>,
): Call {
  const args: Record<string, unknown> = {};
  const rest: unknown[] = [];
  positional.forEach((v, i) => {
    const p = spec.params[i];
    if (p) args[p] = v;
    else if (spec.varargs) rest.push(v);
    else
      throw new StateError(
        state,
        `${name} takes at most ${spec.params.length} positional argument(s) ` +
          `(${spec.params.join(', ') || 'none'}), got ${positional.length}`,
      );
  });
  for (const [k, v] of Object.entries(kwargs)) {
    if (v === null || v === undefined) continue;
    if (!spec.params.includes(k)) {
      throw new StateError(
        state,
        `${name}: unknown argument '${k}' (${spec.params.length ? `takes ${spec.params.join(', ')}` : 'takes none'})`,
      );
    }
    if (k in args) throw new StateError(state, `${name}: argument '${k}' given twice`);
    args[k] = v;
  }
  const missing = spec.required.filter((p) => args[p] === undefined || args[p] === null);
  if (missing.length)
    throw new StateError(state, `${name}: missing argument ${missing.map((m) => `'${m}'`).join(', ')}`);
  return { fn: name, args, rest };
}

function lookup(state: string, name: string): ExecFunction {
  const spec = FUNCTIONS[name];
  if (!spec)
    throw new StateError(
      state,
      `no execution function '${name}' in brine (module.run can call: ${FUNCTION_NAMES.join(', ')})`,
    );
  return spec;
}

/** The calls a module.run/module.wait state makes, in the order written. Throws StateError. */
export function callsOf(args: Record<string, unknown>): Call[] {
  const state = String(args.name);
  const fnKeys = Object.keys(args).filter((k) => !OWN.has(k) && isFunctionKey(k));
  if (fnKeys.length) {
    return fnKeys.map((fn) => {
      const spec = lookup(state, fn);
      const v = args[fn];
      const list = v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
      const positional: unknown[] = [];
      const kwargs: Record<string, unknown> = {};
      for (const item of list) {
        if (item && typeof item === 'object' && !Array.isArray(item)) Object.assign(kwargs, item);
        else positional.push(item);
      }
      return bind(state, fn, spec, positional, kwargs);
    });
  }
  // the old syntax: name is the function
  const fn = state;
  const spec = lookup(state, fn);
  const kwargs: Record<string, unknown> = { ...((args.kwargs as Record<string, unknown> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(args)) if (!OWN.has(k)) kwargs[k] = v;
  if (args.m_name !== undefined) kwargs.name = args.m_name;
  const positional = Array.isArray(args.args) ? args.args : [];
  return [bind(state, fn, spec, positional, kwargs)];
}

/** How a call reads in the plan and report: `service.restart(nginx)`. */
export function callLabel(c: Call): string {
  const shown = [
    ...Object.entries(c.args).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
    ...c.rest.map((v) => JSON.stringify(v)),
  ];
  return `${c.fn}(${shown.join(', ')})`;
}
