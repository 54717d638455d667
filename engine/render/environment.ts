// The nunjucks Environment of one Renderer: Salt-compatible globals, filters and tests.
import nunjucks from 'nunjucks';
import './patch-lexer.js';
import './patch-parser.js';
import './patch-compiler.js';
import './patch-runtime.js';
import './patch-syntax.js';
import './patch-compare.js';
import './patch-macro.js';
import { dictKeys } from './dictkeys.js';
import { compatFilters } from './filters-compat.js';
import { dataFilters } from './filters-data.js';
import { seqFilters } from './filters-seq.js';
import { textFilters } from './filters-text.js';
import { bindArgs, isKwargs, splitKw } from './kwargs.js';
import { StatesLoader } from './loader.js';
import { isMap, isStr, pyRepr, TemplateFault, truthy, tuple } from './pyvalue.js';
import { jinjaTests } from './tests.js';

type FilterSpec = { params: readonly string[]; fn: (...a: any[]) => unknown };

/** nunjucks built-in filters kept, with their Python parameter names for keyword arguments. */
const BUILTIN_PARAMS: Record<string, readonly string[]> = {
  replace: ['old', 'new', 'count'],
  round: ['precision', 'method'],
  truncate: ['length', 'killwords', 'end'],
  batch: ['linecount', 'fill_with'],
  slice: ['slices', 'fill_with'],
  sum: ['attribute', 'start'],
  center: ['width'],
  trim: ['chars'],
  wordwrap: ['width', 'break_long_words', 'wrapstring'],
  urlize: ['trim_url_limit', 'nofollow', 'target'],
};

function wrapFilter(name: string, spec: FilterSpec) {
  return function (this: unknown, value: unknown, ...args: unknown[]) {
    const bound = spec.params[0] === '*' ? args : bindArgs(name, spec.params, args);
    return spec.fn.call(this, value, ...bound);
  };
}

function wrapBuiltin(name: string, fn: (...a: any[]) => unknown) {
  const params = BUILTIN_PARAMS[name];
  return function (this: unknown, value: unknown, ...args: unknown[]) {
    if (!params && args.length && isKwargs(args[args.length - 1])) {
      throw new TemplateFault(`filter '${name}' does not take keyword arguments`);
    }
    return fn.call(this, value, ...(params ? bindArgs(name, params, args) : args));
  };
}

function iterate(v: unknown, nvars: number): unknown {
  if (v === undefined) throw new TemplateFault('for loop over an undefined value (a missing variable or key)');
  if (v === null) throw new TemplateFault('for loop over None');
  if (isStr(v)) return [...String(v)];
  if (isMap(v) && nvars === 1) return dictKeys(v);
  if (Array.isArray(v) || isMap(v)) return v;
  if (typeof v === 'object' && Symbol.iterator in (v as object)) return v;
  throw new TemplateFault(`${pyRepr(v)} is not iterable`);
}

function unpack(v: unknown, n: number): unknown[] {
  const list = isStr(v) ? [...String(v)] : Array.isArray(v) ? v : null;
  if (!list) throw new TemplateFault(`cannot unpack ${pyRepr(v)} into ${n} variables`);
  if (list.length !== n) throw new TemplateFault(`cannot unpack ${list.length} values into ${n} variables`);
  return list;
}

export function createEnvironment(statesDir: string, globals: Record<string, unknown>): nunjucks.Environment {
  const loader = new StatesLoader(statesDir);
  const env = new nunjucks.Environment(loader as unknown as nunjucks.ILoader, {
    autoescape: false,
    throwOnUndefined: false,
    trimBlocks: false,
    lstripBlocks: false,
  });
  loader.env = env;
  const filters = (env as unknown as { filters: Record<string, (...a: any[]) => unknown> }).filters;
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, wrapBuiltin(name, fn));
  for (const table of [dataFilters, textFilters, seqFilters, compatFilters] as Array<Record<string, FilterSpec>>) {
    for (const [name, spec] of Object.entries(table)) env.addFilter(name, wrapFilter(name, spec));
  }
  env.addFilter('d', filters.default!);
  env.addFilter('count', filters.length!);
  const addTest = (env as unknown as { addTest: (n: string, f: (...a: any[]) => boolean) => void }).addTest.bind(env);
  for (const [name, fn] of Object.entries(jinjaTests)) addTest(name, fn);
  addTest('eq', (a: unknown, b: unknown) => a === b || (isStr(a) && isStr(b) && String(a) === String(b)));

  /** Python's dict(): maps and (key, value) pairs, then keyword arguments. */
  const pyDict = (...args: unknown[]): Record<string, unknown> => {
    const { pos, kw } = splitKw(args);
    const out: Record<string, unknown> = {};
    for (const p of pos) {
      if (isMap(p)) Object.assign(out, p);
      else if (Array.isArray(p)) for (const pair of p) out[String((pair as unknown[])[0])] = (pair as unknown[])[1];
    }
    return Object.assign(out, kw);
  };

  const base: Record<string, unknown> = {
    None: null,
    True: true,
    False: false,
    __brine_do: () => '',
    __brine_truthy: (v: unknown) => {
      if (v === undefined)
        throw new TemplateFault('testing an undefined value (a missing variable or key; use `is defined` or .get())');
      return truthy(v);
    },
    __brine_push: (list: unknown[], item: unknown) => {
      list.push(item);
      return '';
    },
    __brine_iter: iterate,
    __brine_unpack: unpack,
    __brine_tuple: (...items: unknown[]) => tuple(items),
    range: (...args: unknown[]) => {
      const { pos } = splitKw(args);
      const [a, b, s] =
        pos.length === 1
          ? [0, Number(pos[0]), 1]
          : [Number(pos[0]), Number(pos[1]), pos[2] === undefined ? 1 : Number(pos[2])];
      const out: number[] = [];
      if (s > 0) for (let i = a; i < b; i += s) out.push(i);
      else if (s < 0) for (let i = a; i > b; i += s) out.push(i);
      return out;
    },
    dict: pyDict,
    list: (v?: unknown) =>
      v === undefined ? [] : Array.isArray(v) ? [...v] : isMap(v) ? dictKeys(v) : isStr(v) ? [...String(v)] : [v],
    // insertion order is kept anyway: an OrderedDict is a dict here
    odict: pyDict,
    namespace: (...args: unknown[]) => {
      const { pos, kw } = splitKw(args);
      return Object.assign({}, ...pos.filter(isMap), kw);
    },
    __brine_setattr: (obj: unknown, key: unknown, value: unknown) => {
      if (!isMap(obj))
        throw new TemplateFault(`cannot set attribute '${String(key)}' on ${pyRepr(obj)} (use namespace())`);
      obj[String(key)] = value;
      return '';
    },
    zip: (...lists: unknown[][]) => {
      const n = Math.min(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => tuple(lists.map((l) => l[i])));
    },
  };
  for (const [k, v] of Object.entries({ ...base, ...globals })) env.addGlobal(k, v);
  return env;
}
