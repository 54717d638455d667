// Validates module args against the function's JSON schema (ajv), with messages that name
// file:line, the state and the argument.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validatorOf } from '../ajv.js';
import type { SourceLoc } from '../highdata.js';
import type { StateFunction } from '../contract.js';
import { CompileError } from '../errors.js';
import { knownArgs } from './inert.js';
import { didYouMean } from './suggest.js';
import { locStr } from './types.js';

const cache = new WeakMap<StateFunction, ValidateFunction>();

/** The validator generated at build time for this schema, else one compiled now. */
function validatorFor(fn: StateFunction): ValidateFunction {
  let v = cache.get(fn);
  if (!v) {
    v = validatorOf(fn.schema);
    cache.set(fn, v);
  }
  return v;
}

function suggestion(extra: string, fn: StateFunction): string {
  return didYouMean(extra, knownArgs(fn));
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
    case 'octalDigits':
      return {
        arg,
        msg:
          `argument '${arg}'${sub} must be a file mode: octal digits up to 7777 like '0644' ` +
          `(got ${JSON.stringify(e.data)})`,
      };
    case 'enum': {
      const allowed = JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues);
      return { arg, msg: `argument '${arg}'${sub} must be one of ${allowed} (got ${JSON.stringify(e.data)})` };
    }
    default:
      return arg
        ? { arg, msg: `argument '${arg}'${sub} ${e.message ?? 'is invalid'}` }
        : { msg: e.message ?? 'invalid arguments' };
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
  const first =
    errors.find((e) => e.keyword === 'additionalProperties' && !e.instancePath) ??
    errors.find((e) => e.keyword === 'octalDigits') ??
    errors[0]!;
  const { arg, msg } = describe(first, fn);
  const loc = (arg && argLocs[arg]) || stateLoc;
  throw new CompileError(locStr(loc), `${where}: ${msg}`);
}
