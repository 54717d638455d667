// Arguments Salt accepts that brine does not act on (StateFunction.inert), Salt's **kwargs that
// file.managed hands to its template (StateFunction.kwargsToTemplate), and the **kwargs a Salt
// function ignores (StateFunction.ignoresKwargs).
import type { StateFunction } from '../../engine/contract.js';
import { closest } from './suggest.js';

const schemaKeys = (fn: StateFunction): string[] =>
  Object.keys((fn.schema.properties ?? {}) as Record<string, unknown>);

/** Every argument name the function takes: its schema's and its inert ones (for "did you mean"). */
export function knownArgs(fn: StateFunction): string[] {
  return [...schemaKeys(fn), ...Object.keys(fn.inert ?? {})];
}

/** null, False, '' and [] ask for nothing, so they get no warning. */
const asksSomething = (v: unknown): boolean =>
  v !== null && v !== false && v !== '' && !(Array.isArray(v) && !v.length);

/**
 * Takes the inert arguments out of `args` (a key the schema knows stays) and returns the warnings
 * for those given: "ARG has no effect: WHY".
 */
export function takeInert(fn: StateFunction, args: Record<string, unknown>): string[] {
  if (!fn.inert) return [];
  const schema = new Set(schemaKeys(fn));
  const out: string[] = [];
  for (const [k, why] of Object.entries(fn.inert)) {
    if (!Object.hasOwn(args, k) || schema.has(k)) continue;
    if (asksSomething(args[k])) out.push(`${k} has no effect: ${why}`);
    delete args[k];
  }
  return out;
}

/**
 * For a function that hands unknown arguments to its template (Salt's file.managed **kwargs): moves
 * each argument that is neither known nor a likely typo of a known one into `args.template_kwargs`.
 * A likely typo stays, so validation reports it with "did you mean".
 */
export function takeTemplateKwargs(fn: StateFunction, args: Record<string, unknown>): void {
  if (!fn.kwargsToTemplate) return;
  const known = knownArgs(fn);
  const extra: Record<string, unknown> = {};
  for (const k of Object.keys(args)) {
    if (known.includes(k) || closest(k, known)) continue;
    extra[k] = args[k];
    delete args[k];
  }
  if (Object.keys(extra).length) args.template_kwargs = extra;
}

/**
 * For a function whose Salt counterpart ignores unknown **kwargs: takes each argument that is
 * neither known nor a likely typo of a known one out of `args`, with its warning.
 */
export function takeIgnoredKwargs(fn: StateFunction, args: Record<string, unknown>): string[] {
  if (!fn.ignoresKwargs) return [];
  const known = knownArgs(fn);
  const out: string[] = [];
  for (const k of Object.keys(args)) {
    if (k === 'name' || known.includes(k) || closest(k, known)) continue;
    if (asksSomething(args[k])) out.push(`${k} has no effect: ${fn.ignoresKwargs}`);
    delete args[k];
  }
  return out;
}
