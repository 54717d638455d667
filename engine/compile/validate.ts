// Validates module args against the function's JSON schema (ajv), with messages that name
// file:line, the state and the argument.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { SourceLoc } from '../highdata.js';
import type { StateFunction } from '../../modules/contract.js';
import { CompileError } from '../errors.js';
import { locStr } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
const cache = new WeakMap<StateFunction, ValidateFunction>();

function validatorFor(fn: StateFunction): ValidateFunction {
  let v = cache.get(fn);
  if (!v) {
    v = ajv.compile(fn.schema);
    cache.set(fn, v);
  }
  return v;
}

/** Edit distance with transpositions (optimal string alignment), for "did you mean". */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function suggestion(extra: string, fn: StateFunction): string {
  const known = Object.keys((fn.schema.properties as Record<string, unknown> | undefined) ?? {});
  const best = known.map((k) => [k, distance(extra, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(1, Math.floor(extra.length / 3)) ? ` (did you mean '${best[0]}'?)` : '';
}

function describe(e: ErrorObject, fn: StateFunction): { arg?: string; msg: string } {
  const path = e.instancePath.split('/').filter(Boolean);
  const arg = path[0];
  const sub = path.length > 1 ? ` (at ${path.slice(1).join('.')})` : '';
  switch (e.keyword) {
    case 'required':
      return { msg: `missing required argument '${(e.params as { missingProperty: string }).missingProperty}'` };
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return path.length
        ? { arg, msg: `argument '${arg}'${sub}: unknown key '${extra}'` }
        : { arg: extra, msg: `unknown argument '${extra}'${suggestion(extra, fn)}` };
    }
    case 'enum':
      return { arg, msg: `argument '${arg}'${sub} must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}` };
    default:
      return arg ? { arg, msg: `argument '${arg}'${sub} ${e.message ?? 'is invalid'}` } : { msg: e.message ?? 'invalid arguments' };
  }
}

/** Throws CompileError at the argument's line (or the state's) when args do not match the schema. */
export function validateArgs(
  fn: StateFunction,
  args: Record<string, unknown>,
  where: string,
  stateLoc: SourceLoc,
  argLocs: Record<string, SourceLoc>,
): void {
  const v = validatorFor(fn);
  if (v(args)) return;
  // an unknown argument explains the rest (a misspelt 'name' also leaves the default name invalid)
  const errors = v.errors!;
  const first = errors.find((e) => e.keyword === 'additionalProperties' && !e.instancePath) ?? errors[0]!;
  const { arg, msg } = describe(first, fn);
  const loc = (arg && argLocs[arg]) || stateLoc;
  throw new CompileError(locStr(loc), `${where}: ${msg}`);
}
