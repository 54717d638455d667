// Runtime patches: member lookup with Python methods (a real dict key wins), negative indexes and
// slices; Jinja's printing of values (None, True, lists as Python literals); strict undefined
// (Salt renders with StrictUndefined: printing or dereferencing a missing value is an error).
import { type AnyFn, nj } from './internals.js';
import { pyKey, setTyped } from './dictkeys.js';
import { pyMethod } from './pymethods.js';
import { isMap, isStr, pyMod, pyRepr, pyStr, TemplateFault, truthy } from './pyvalue.js';

const R = nj.runtime;

/** Objects whose members are looked up by their own `lookup` method (the `salt` dict). */
export interface MemberSource {
  brineLookup(name: string): unknown;
  /** `name in source` */
  brineHas?(name: string): boolean;
}
function isMemberSource(v: unknown): v is MemberSource {
  return typeof v === 'object' && v !== null && typeof (v as MemberSource).brineLookup === 'function';
}

function sliceLookup(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (!Array.isArray(obj) && !isStr(obj)) throw new TemplateFault(`cannot slice ${pyRepr(obj)}`);
  const seq: unknown[] = Array.isArray(obj) ? obj : [...String(obj)];
  const len = seq.length;
  const st = step === null || step === undefined ? 1 : Number(step);
  if (st === 0) throw new TemplateFault('slice step cannot be zero');
  const norm = (v: unknown, dflt: number, lo: number, hi: number) => {
    if (v === null || v === undefined) return dflt;
    let n = Number(v);
    if (n < 0) n += len;
    return Math.min(Math.max(n, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += st) out.push(seq[i]);
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += st) out.push(seq[i]);
  }
  return Array.isArray(obj) ? out : out.join('');
}

const origMemberLookup = R.memberLookup as AnyFn;
R.memberLookup = function memberLookup(obj: unknown, val: unknown, ...rest: unknown[]) {
  if (rest.length === 2) return sliceLookup(obj, val, rest[0], rest[1]);
  if (obj === undefined)
    throw new TemplateFault(`cannot read '${String(val)}' of an undefined value (a missing variable or key)`);
  if (obj === null) throw new TemplateFault(`cannot read '${String(val)}' of None`);
  if (isMemberSource(obj)) return obj.brineLookup(String(val));
  if (typeof val === 'number' && (Array.isArray(obj) || isStr(obj))) {
    const len = Array.isArray(obj) ? obj.length : String(obj).length;
    const i = val < 0 ? val + len : val;
    return Array.isArray(obj) ? obj[i] : String(obj)[i];
  }
  const key = pyKey(val);
  if (isMap(obj) && Object.hasOwn(obj, key)) return obj[key];
  const m = pyMethod(obj, key);
  if (m) return m;
  if (isMap(obj) && Object.getPrototypeOf(obj) === Object.prototype) return undefined;
  return origMemberLookup.call(this, obj, val);
};

const origSuppress = R.suppressValue as AnyFn;
R.suppressValue = function suppressValue(val: unknown, autoescape: boolean) {
  if (val === undefined)
    throw new TemplateFault(
      'printing an undefined value (a missing variable or key; use `is defined`, `|default` or `.get()`)',
    );
  if (typeof val === 'string' || val instanceof String) return origSuppress.call(this, val, autoescape);
  return origSuppress.call(this, pyStr(val), autoescape);
};

R.brineTruthy = (v: unknown) => {
  if (v === undefined)
    throw new TemplateFault('testing an undefined value (a missing variable or key; use `is defined` or `.get()`)');
  return truthy(v);
};

R.brineMod = pyMod;

R.brineAdd = (a: unknown, b: unknown) => {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isStr(a) && isStr(b)) return String(a) + String(b);
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean'))
    return Number(a) + Number(b);
  throw new TemplateFault(`cannot add ${pyRepr(a)} and ${pyRepr(b)} (use ~ to join as text)`);
};

R.brineMul = (a: unknown, b: unknown): unknown => {
  // Python's bool is an int: 'x' * True == 'x'
  if (typeof b === 'boolean' && (isStr(a) || Array.isArray(a))) return R.brineMul(a, Number(b));
  if (typeof a === 'boolean' && (isStr(b) || Array.isArray(b))) return R.brineMul(Number(a), b);
  if (isStr(a) && typeof b === 'number') return String(a).repeat(Math.max(0, b));
  if (Array.isArray(a) && typeof b === 'number') return Array.from({ length: Math.max(0, b) }, () => a).flat();
  if (typeof a === 'number' && (isStr(b) || Array.isArray(b))) return R.brineMul(b, a);
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean'))
    return Number(a) * Number(b);
  throw new TemplateFault(`cannot multiply ${pyRepr(a)} and ${pyRepr(b)}`);
};

R.brineConcat = (a: unknown, b: unknown) => {
  if (a === undefined || b === undefined)
    throw new TemplateFault('~ with an undefined value (a missing variable or key)');
  return pyStr(a) + pyStr(b);
};

export function pyEq(a: unknown, b: unknown): boolean {
  if (isStr(a) && isStr(b)) return String(a) === String(b);
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean'))
    return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  if (a === undefined || b === undefined) return a === b;
  return a === b || (a === null && b === null);
}
R.brineEq = pyEq;

R.brineDict = (pairs: Array<[unknown, unknown]>) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of pairs) {
    if (k === undefined) throw new TemplateFault("dict key is an undefined value (quote literal keys: {'name': ...})");
    if (k !== null && typeof k === 'object') throw new TemplateFault(`unhashable dict key ${pyRepr(k)}`);
    setTyped(out, k, v);
  }
  return out;
};

export const runtimePatched = true;

// nunjucks' runtime line numbers are 0-based (its parse errors are 1-based): report 1-based.
// A fault thrown while a statement runs carries that statement's file and line (see brineLoc).
R.handleError = function handleError(error: any, lineno: number, colno: number) {
  if (error && error.lineno) return error;
  // already located by a nested template (a compile error of an included file)
  if (error instanceof Error && /^\([^()\n]*\) \[Line \d+/.test(error.message))
    return new nj.lib.TemplateError(error.message, (lineno ?? 0) + 1, (colno ?? 0) + 1);
  const loc = R.brineLoc as [string, number] | undefined;
  R.brineLoc = undefined;
  if (loc && error instanceof Error) {
    const msg = `${LOC_MARK}${loc[0]}${LOC_MARK}${loc[1]}${LOC_MARK} ${error.message}`;
    return new nj.lib.TemplateError(msg, loc[1], (colno ?? 0) + 1);
  }
  return new nj.lib.TemplateError(error, (lineno ?? 0) + 1, (colno ?? 0) + 1);
};

/** Marks file and line inside an error message: `@@file@@line@@ reason`. */
export const LOC_MARK = '@@brine@@';

// Compile errors of included/imported templates must surface synchronously (nunjucks would
// report them from a later tick, after the render returned): compile every template eagerly.
const E = (nj as any).Environment.prototype;
const origGetTemplate = E.getTemplate as AnyFn;
E.getTemplate = function getTemplate(this: any, name: any, eager: any, ...rest: any[]) {
  if (typeof eager === 'function') return origGetTemplate.call(this, name, eager, ...rest);
  return origGetTemplate.call(this, name, true, ...rest);
};

// `x in y` as Python: a dict's own keys only (not 'toString'), typed keys, list items by value,
// the `salt` dict's functions; an undefined operand is an error (StrictUndefined).
R.inOperator = function inOperator(key: unknown, val: unknown): boolean {
  if (val === undefined || key === undefined)
    throw new TemplateFault('`in` with an undefined value (a missing variable or key)');
  if (isStr(val)) {
    if (!isStr(key)) throw new TemplateFault(`'in <string>' requires a string as left operand, not ${pyRepr(key)}`);
    return String(val).includes(String(key));
  }
  if (Array.isArray(val)) return val.some((x) => pyEq(x, key));
  if (isMemberSource(val)) return typeof val.brineHas === 'function' ? val.brineHas(String(key)) : false;
  if (isMap(val)) return Object.hasOwn(val, pyKey(key));
  throw new TemplateFault(`argument of type ${pyRepr(val)} is not iterable`);
};
