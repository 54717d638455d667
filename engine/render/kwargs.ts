// Keyword arguments in templates: nunjucks passes `f(a, b=1)` as f(a, {b: 1, __keywords: true}).
// These helpers turn that into Python's calling convention so that `default='x'` or
// `first=True` land on the right parameter instead of being silently ignored.
import { TemplateFault } from './pyvalue.js';

export interface SplitArgs {
  pos: unknown[];
  kw: Record<string, unknown>;
}

export function isKwargs(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && (v as { __keywords?: unknown }).__keywords === true;
}

export function splitKw(args: unknown[]): SplitArgs {
  const last = args[args.length - 1];
  if (!isKwargs(last)) return { pos: args, kw: {} };
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(last)) if (k !== '__keywords') kw[k] = v;
  return { pos: args.slice(0, -1), kw };
}

/**
 * Positional arguments for a function with the given Python parameter names: keyword arguments
 * are placed at their parameter's position; an unknown keyword or a duplicate is an error.
 */
export function bindArgs(what: string, params: readonly string[], args: unknown[]): unknown[] {
  const { pos, kw } = splitKw(args);
  if (pos.length > params.length && params[params.length - 1] !== '*') {
    throw new TemplateFault(`${what}() takes at most ${params.length} arguments (${pos.length} given)`);
  }
  const out = [...pos];
  for (const [k, v] of Object.entries(kw)) {
    const i = params.indexOf(k);
    if (i < 0) throw new TemplateFault(`${what}() got an unexpected keyword argument '${k}'`);
    if (i < pos.length) throw new TemplateFault(`${what}() got multiple values for argument '${k}'`);
    while (out.length < i) out.push(undefined);
    out[i] = v;
  }
  return out;
}

/** Wraps `fn(...positional)` so it accepts Python keyword arguments for `params`. */
export function withKwargs<F extends (...a: never[]) => unknown>(what: string, params: readonly string[], fn: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    return (fn as unknown as (...a: unknown[]) => unknown).apply(this, bindArgs(what, params, args));
  };
  return wrapped as unknown as F;
}
