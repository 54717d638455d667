// Member reads that cannot reach a prototype, a constructor or the call stack: what the sandbox
// (sandbox.ts) and the helpers that take attribute names (`|attr`, `|map(attribute=)`,
// `'{0.x}'.format(...)`) use.

/** Property names that lead to prototypes, constructors or the call stack. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'caller',
  'callee',
  'arguments',
]);

/** `obj[key]` for an own key or an index only (undefined otherwise); never a function's member. */
export function safeGet(obj: unknown, key: string): unknown {
  if (obj === null || obj === undefined || typeof obj === 'function') return undefined;
  if (typeof obj === 'string' || obj instanceof String)
    return /^\d+$/.test(key) ? String(obj)[Number(key)] : key === 'length' ? String(obj).length : undefined;
  if (typeof obj !== 'object') return undefined;
  if (Array.isArray(obj) && key === 'length') return obj.length;
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}
