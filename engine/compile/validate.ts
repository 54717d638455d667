// Validates module args against the function's JSON schema (ajv), with messages that name
// file:line, the state and the argument.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { SourceLoc } from '../highdata.js';
import type { StateFunction } from '../../modules/contract.js';
import { CompileError } from '../errors.js';
import { locStr } from './types.js';

const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true });
const cache = new WeakMap<StateFunction, ValidateFunction>();

function validatorFor(fn: StateFunction): ValidateFunction {
  let v = cache.get(fn);
  if (!v) {
    v = ajv.compile(fn.schema);
    cache.set(fn, v);
  }
  return v;
}

function describe(e: ErrorObject): { arg?: string; msg: string } {
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
        : { arg: extra, msg: `unknown argument '${extra}'` };
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
  const { arg, msg } = describe(v.errors![0]!);
  const loc = (arg && argLocs[arg]) || stateLoc;
  throw new CompileError(locStr(loc), `${where}: ${msg}`);
}
