// The template sandbox: a template (SLS, pillar, salt:// source) must not reach the controller's
// process, and must not allocate or loop without bound. It wraps nunjucks' choke points (member
// lookup, calls, name lookup, operators, filters, loops) after the Salt-compatibility patches:
// - no prototype or constructor access: `constructor`, `__proto__`, `prototype`, `caller`,
//   `__defineGetter__`... are refused unless they are a real key of a dict (pillar data), and no
//   member of a function is readable (`range.constructor`, `joiner().caller`);
// - the Function constructors (and eval) can never be called, whatever path led to them;
// - JavaScript's own methods of strings and lists are not there (Jinja does not have them either):
//   only the Python methods of pymethods.ts;
// - budgets per render: loop iterations, call depth (recursive macros), list and string sizes,
//   and time. Exceeding one is a TemplateFault, which the renderer turns into a RenderError with
//   the file and line.
import { type AnyFn, nj } from './internals.js';
import { pyMethod } from './pymethods.js';
import { isMap, isStr, TemplateFault } from './pyvalue.js';
import { FORBIDDEN_KEYS } from './safe-get.js';

export { FORBIDDEN_KEYS, safeGet } from './safe-get.js';

/** Functions a template may never call: they compile or evaluate code. */
const FORBIDDEN_FNS: ReadonlySet<unknown> = new Set<unknown>([
  Function,
  Object.getPrototypeOf(async () => {}).constructor,
  Object.getPrototypeOf(function* () {}).constructor,
  Object.getPrototypeOf(async function* () {}).constructor,
  // biome-ignore lint/security/noGlobalEval: listed to be locked away from templates, never called
  eval,
  setTimeout,
  setInterval,
  setImmediate,
  queueMicrotask,
  Function.prototype.call,
  Function.prototype.apply,
  Function.prototype.bind,
  Object.defineProperty,
  Object.defineProperties,
  Object.setPrototypeOf,
  Reflect.apply,
  Reflect.construct,
  Reflect.defineProperty,
  Reflect.setPrototypeOf,
]);

export interface RenderLimits {
  /** Wall-clock budget of one render, ms. */
  timeMs: number;
  /** Loop iterations (all loops of the render together). */
  iterations: number;
  /** Nested calls (macros calling macros). */
  depth: number;
  /** Items of one list a template builds (`range`, `[x] * n`). */
  items: number;
  /** Characters of one string a template builds, and of the render's output. */
  chars: number;
  /** Templates loaded by one render (imports, includes): an import cycle ends here. */
  templates: number;
}

function envNumber(name: string, dflt: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

/** The limits of every render; `BRINE_RENDER_TIMEOUT` (seconds) sets the time budget. */
export function renderLimits(): RenderLimits {
  return {
    timeMs: envNumber('BRINE_RENDER_TIMEOUT', 20) * 1000,
    iterations: 1_000_000,
    depth: 200,
    items: 1_000_000,
    chars: 32 * 1024 * 1024,
    templates: 1000,
  };
}

interface Budget {
  limits: RenderLimits;
  deadline: number;
  iterations: number;
  depth: number;
  ticks: number;
  templates: number;
}

let budget: Budget | null = null;

/**
 * Runs one render under a budget. A render nested in another (a file template rendered while an
 * SLS renders) shares the outer budget.
 */
export function withBudget<T>(fn: () => T, limits: RenderLimits = renderLimits()): T {
  if (budget) return fn();
  budget = { limits, deadline: Date.now() + limits.timeMs, iterations: 0, depth: 0, ticks: 0, templates: 0 };
  try {
    const out = fn();
    if (isStr(out)) checkChars(String(out).length, 'the rendered text');
    return out;
  } catch (e) {
    throw translate(e);
  } finally {
    budget = null;
  }
}

/** Engine failures that a hostile or broken template provokes, in a template's words. */
function translate(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const deep = 'the template nests too deeply (recursion or nesting beyond what brine renders)';
  const big = 'the template builds a value too large to render';
  if (e instanceof RangeError) {
    if (/call stack/i.test(e.message)) return new TemplateFault(deep);
    if (/string length|array length|allocation/i.test(e.message)) return new TemplateFault(big);
  }
  // nunjucks already wrapped it (with the line): reword the engine's message in place
  e.message = e.message
    .replace(/(?:RangeError: )?Maximum call stack size exceeded/, deep)
    .replace(/(?:RangeError: )?Invalid (?:string|array) length/, big);
  return e;
}

function limits(): RenderLimits {
  return budget?.limits ?? renderLimits();
}

function tick(): void {
  if (!budget) return;
  if ((++budget.ticks & 1023) === 0 && Date.now() > budget.deadline) {
    throw new TemplateFault(
      `the render took longer than its budget of ${Math.round(budget.limits.timeMs / 1000)} s (an endless or huge ` +
        `loop?)`,
    );
  }
}

/** One loop iteration (emitted by the compiler into every for loop). */
function loopTick(): void {
  if (!budget) return;
  if (++budget.iterations > budget.limits.iterations) {
    throw new TemplateFault(
      `the loops of this render ran more than ${budget.limits.iterations} iterations (nested loops too large?)`,
    );
  }
  tick();
}

export function checkItems(n: number, what: string): void {
  const max = limits().items;
  if (!(n <= max))
    throw new TemplateFault(`${what} would have ${Number.isFinite(n) ? n : 'too many'} items (the limit is ${max})`);
}

export function checkChars(n: number, what: string): void {
  const max = limits().chars;
  if (!(n <= max)) throw new TemplateFault(`${what} would have ${n} characters (the limit is ${max})`);
}

function checkValue(v: unknown, what: string): unknown {
  if (typeof v === 'string') checkChars(v.length, what);
  else if (Array.isArray(v)) checkItems(v.length, what);
  return v;
}

/** A member a template may read: a dict's own key, a Python method, an element; never a prototype. */
function guardMember(obj: unknown, key: unknown): void {
  const k = typeof key === 'symbol' ? '' : String(key);
  if (typeof key === 'symbol') throw new TemplateFault('symbol keys are not allowed in templates');
  if (FORBIDDEN_KEYS.has(k)) {
    const own =
      obj !== null &&
      typeof obj === 'object' &&
      Object.hasOwn(obj, k) &&
      typeof (obj as Record<string, unknown>)[k] !== 'function';
    if (!own) throw new TemplateFault(`access to '${k}' is not allowed in a template`);
  }
  if (typeof obj === 'function') throw new TemplateFault(`cannot read '${k}' of a function`);
}

function isMemberSource(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { brineLookup?: unknown }).brineLookup === 'function';
}

/** JavaScript's inherited methods of strings, lists and numbers are not template methods. */
function guardNative(obj: unknown, key: unknown, result: unknown): void {
  if (typeof result !== 'function') return;
  if (FORBIDDEN_FNS.has(result))
    throw new TemplateFault('calling the Function constructor is not allowed in a template');
  if (obj === null || obj === undefined || isMemberSource(obj)) return;
  const k = String(key);
  if (typeof obj === 'object' && Object.hasOwn(obj, k)) return;
  if (pyMethod(obj, k)) return;
  // cycler, namespace-like helpers
  if (isMap(obj) && Object.getPrototypeOf(obj) !== Object.prototype && Object.getPrototypeOf(obj) !== null) return;
  if (isStr(obj) || Array.isArray(obj) || typeof obj === 'number' || typeof obj === 'boolean' || isMap(obj)) {
    throw new TemplateFault(
      `${isStr(obj) ? 'str' : Array.isArray(obj) ? 'list' : isMap(obj) ? 'dict' : typeof obj} object has no ` +
        `attribute '${k}'`,
    );
  }
}

/**
 * What the template just looked up, to name a missing key in the error that follows
 * (`pillar['a']['b']` with no key 'a': "pillar['a'] is missing", not "cannot read 'b' of undefined").
 */
const trail: { obj: unknown; expr: string; missing: string | null } = { obj: undefined, expr: '', missing: null };

function follow(obj: unknown, step: string, out: unknown): void {
  const expr = obj === trail.obj && trail.expr.length < 200 ? `${trail.expr}${step}` : `…${step}`;
  trail.obj = out;
  trail.expr = expr;
  trail.missing = out === undefined ? expr : null;
}

let installed = false;
let ContextProto: Record<string, AnyFn> | null = null;

/** Patches nunjucks' runtime once (after the compatibility patches, which it wraps). */
export function installSandbox(): void {
  if (installed) return;
  installed = true;
  const R = nj.runtime;

  const origMember = R.memberLookup as AnyFn;
  R.memberLookup = function memberLookup(this: unknown, obj: unknown, val: unknown, ...rest: unknown[]) {
    if (rest.length === 0) guardMember(obj, val);
    else if (typeof obj === 'function') throw new TemplateFault('cannot slice a function');
    if (obj === undefined && trail.missing)
      throw new TemplateFault(
        `cannot read '${String(val)}' of an undefined value: ${trail.missing} is missing (use .get() or |default ` +
          `for an optional key)`,
      );
    const out = origMember.call(this, obj, val, ...rest);
    if (rest.length === 0) guardNative(obj, val, out);
    follow(obj, rest.length ? '[:]' : typeof val === 'number' ? `[${val}]` : `['${String(val)}']`, out);
    return out;
  };

  const origLookup = R.contextOrFrameLookup as AnyFn;
  R.contextOrFrameLookup = function contextOrFrameLookup(
    this: unknown,
    context: unknown,
    frame: unknown,
    name: string,
  ) {
    const out = origLookup.call(this, context, frame, name);
    trail.obj = out;
    trail.expr = name;
    trail.missing = out === undefined ? `'${name}'` : null;
    return out;
  };

  const origCall = R.callWrap as AnyFn;
  R.callWrap = function callWrap(this: unknown, obj: unknown, name: unknown, context: unknown, args: unknown[]) {
    if (FORBIDDEN_FNS.has(obj)) throw new TemplateFault(`calling ${String(name)} is not allowed in a template`);
    tick();
    if (!budget) return checkValue(origCall.call(this, obj, name, context, args), `the result of ${String(name)}`);
    if (++budget.depth > budget.limits.depth) {
      budget.depth = 0;
      throw new TemplateFault(`calls nest deeper than ${budget.limits.depth} (a macro that calls itself without end?)`);
    }
    try {
      const out = checkValue(origCall.call(this, obj, name, context, args), `the result of ${String(name)}`);
      trail.obj = out;
      trail.expr = `${String(name)}()`;
      trail.missing = null;
      return out;
    } finally {
      if (budget && budget.depth > 0) budget.depth--;
    }
  };

  const origMul = R.brineMul as AnyFn;
  R.brineMul = (a: unknown, b: unknown) => {
    const [seq, n] = typeof a === 'number' ? [b, a] : [a, b];
    if (typeof n === 'number') {
      if (isStr(seq)) checkChars(String(seq).length * Math.max(0, n), 'a string repeated by *');
      else if (Array.isArray(seq)) checkItems(seq.length * Math.max(0, n), 'a list repeated by *');
    }
    return origMul(a, b);
  };
  for (const op of ['brineAdd', 'brineConcat', 'brineMod']) {
    const orig = R[op] as AnyFn;
    R[op] = (a: unknown, b: unknown) => {
      tick();
      return checkValue(orig(a, b), 'a value');
    };
  }

  const origSuppress = R.suppressValue as AnyFn;
  R.suppressValue = function suppressValue(this: unknown, val: unknown, autoescape: boolean) {
    tick();
    if (val === undefined && trail.missing)
      throw new TemplateFault(
        `printing an undefined value: ${trail.missing} is missing (use \`is defined\`, |default or .get() for an ` +
          `optional key)`,
      );
    return checkValue(origSuppress.call(this, val, autoescape), 'a printed value');
  };

  R.brineLoopTick = loopTick;

  // filters: their results are bounded like any other value
  const E = (nj as any).Environment.prototype;
  const origGetFilter = E.getFilter as AnyFn;
  const wrapped = new WeakMap<AnyFn, AnyFn>();
  E.getFilter = function getFilter(this: unknown, name: string) {
    const f = origGetFilter.call(this, name) as AnyFn;
    let w = wrapped.get(f);
    if (!w) {
      w = function (this: unknown, ...a: unknown[]) {
        tick();
        return checkValue(f.apply(this, a), `the result of filter '${name}'`);
      };
      wrapped.set(f, w);
    }
    return w;
  };

  // imports and includes are counted: a template that imports itself ends, with its name
  const origGetTemplate = E.getTemplate as AnyFn;
  E.getTemplate = function getTemplate(this: unknown, name: unknown, ...rest: unknown[]) {
    if (budget && ++budget.templates > budget.limits.templates) {
      throw new TemplateFault(
        `more than ${budget.limits.templates} templates imported or included in one render (does ` +
          `'${String(name)}' import itself?)`,
      );
    }
    tick();
    return origGetTemplate.call(this, name, ...rest);
  };

  // every for loop counts its iterations
  const C = nj.compiler.Compiler.prototype;
  const origBindings = C._emitLoopBindings as AnyFn;
  C._emitLoopBindings = function _emitLoopBindings(this: any, ...a: any[]) {
    this._emitLine('runtime.brineLoopTick();');
    return origBindings.apply(this, a);
  };
}

/**
 * Names a template reads resolve to the render context, the globals or the template's own
 * variables, never to what a plain object inherits (`constructor`, `__proto__`, `toString`).
 * nunjucks' Context is not exported: it is the `this` of a global function called by a template.
 */
export function guardContext(env: {
  addGlobal(n: string, v: unknown): unknown;
  renderString(s: string, c: object): string;
}): void {
  if (ContextProto) return;
  let ctx: object | null = null;
  env.addGlobal('__brine_capture', function (this: object) {
    ctx = this;
    return '';
  });
  env.renderString('{{ __brine_capture() }}', {});
  if (!ctx) throw new Error('sandbox: cannot find the nunjucks Context');
  ContextProto = Object.getPrototypeOf(ctx) as Record<string, AnyFn>;
  const origLookup = ContextProto.lookup!;
  ContextProto.lookup = function lookup(this: { ctx: object; env: { globals: object } }, name: string) {
    if (name in Object.prototype) {
      if (Object.hasOwn(this.ctx, name)) return (this.ctx as Record<string, unknown>)[name];
      if (Object.hasOwn(this.env.globals, name)) return (this.env.globals as Record<string, unknown>)[name];
      return undefined;
    }
    return origLookup.call(this, name);
  };
  const origSet = ContextProto.setVariable!;
  ContextProto.setVariable = function setVariable(this: unknown, name: string, val: unknown) {
    if (FORBIDDEN_KEYS.has(name)) throw new TemplateFault(`'${name}' cannot be set in a template`);
    return origSet.call(this, name, val);
  };
}

/** Per environment: the context guard, and the globals that allocate or write (`range`, `{% set ns.x %}`). */
export function sandboxEnvironment(env: {
  addGlobal(n: string, v: unknown): unknown;
  renderString(s: string, c: object): string;
}): void {
  installSandbox();
  guardContext(env);
  const globals = (env as unknown as { globals: Record<string, AnyFn | undefined> }).globals;
  const range = globals.range;
  if (range) {
    env.addGlobal('range', (...args: unknown[]) => {
      const nums = args.filter((a) => typeof a !== 'object' || a === null).map(Number);
      if (nums.some((n) => !Number.isFinite(n))) throw new TemplateFault('range() needs whole numbers');
      const [a, b, s] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
      if (s !== 0) checkItems(Math.ceil((b - a) / s), `range(${nums.join(', ')})`);
      return range(...args);
    });
  }
  const setattr = globals.__brine_setattr;
  if (setattr) {
    env.addGlobal('__brine_setattr', (obj: unknown, key: unknown, value: unknown) => {
      if (FORBIDDEN_KEYS.has(String(key))) throw new TemplateFault(`'${String(key)}' cannot be set in a template`);
      return setattr(obj, key, value);
    });
  }
}
