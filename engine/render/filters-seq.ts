// Sequence and mapping filters with Jinja/Salt semantics where nunjucks' differ or are missing.
import { safeGet } from './safe-get.js';
import { isMap, isStr, itemTuples, pyRepr, pyStr, TemplateFault, truthy, tuple } from './pyvalue.js';
import { dictKeys } from './dictkeys.js';
import { pyEq } from './patch-runtime.js';

function toList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return dictKeys(v);
  if (isStr(v)) return [...String(v)];
  if (v === undefined) throw new TemplateFault(`${what}: the value is undefined`);
  throw new TemplateFault(`${what}: ${pyRepr(v)} is not iterable`);
}

function attrGetter(attribute: unknown): (x: unknown) => unknown {
  if (attribute === undefined || attribute === null) return (x) => x;
  const parts = String(attribute).split('.');
  return (x) => {
    let v: unknown = x;
    for (const p of parts) {
      if (v === null || v === undefined) return undefined;
      v = safeGet(v, p);
    }
    return v;
  };
}

function cmp(a: unknown, b: unknown, caseSensitive: boolean): number {
  const x = !caseSensitive && isStr(a) ? String(a).toLowerCase() : a;
  const y = !caseSensitive && isStr(b) ? String(b).toLowerCase() : b;
  return (x as any) < (y as any) ? -1 : (x as any) > (y as any) ? 1 : 0;
}

function runTest(ctx: any, name: unknown, v: unknown, args: unknown[]): boolean {
  if (name === undefined || name === null) return truthy(v);
  const test = ctx.env.getTest(String(name));
  if (!test) throw new TemplateFault(`no test named '${String(name)}'`);
  return test.call(ctx, v, ...args) === true;
}

export const seqFilters = {
  default: {
    params: ['default_value', 'boolean'],
    fn: (v: unknown, d?: unknown, boolean?: unknown) => {
      if (v === undefined) return d === undefined ? '' : d;
      if (boolean && !truthy(v)) return d === undefined ? '' : d;
      return v;
    },
  },
  unique: {
    params: ['case_sensitive', 'attribute'],
    fn: (v: unknown, _cs?: unknown, attribute?: unknown) => {
      const get = attrGetter(attribute);
      const out: unknown[] = [];
      const seen: unknown[] = [];
      for (const x of toList(v, 'unique')) {
        const k = get(x);
        if (!seen.some((s) => pyEq(s, k))) {
          seen.push(k);
          out.push(x);
        }
      }
      return out;
    },
  },
  map: {
    params: ['*'],
    fn(this: any, v: unknown, ...args: unknown[]) {
      const list = toList(v, 'map');
      const last = args[args.length - 1] as Record<string, unknown> | undefined;
      const kw = last && (last as { __keywords?: boolean }).__keywords ? (args.pop() as Record<string, unknown>) : {};
      if (kw.attribute !== undefined) {
        const get = attrGetter(kw.attribute);
        return list.map((x) => {
          const r = get(x);
          return r === undefined && 'default' in kw ? kw.default : r;
        });
      }
      if (!args.length) throw new TemplateFault('map: needs a filter name or attribute=');
      const [name, ...rest] = args;
      const filter = this.env.getFilter(String(name));
      const restKw = Object.keys(kw).length ? [...rest, kw] : rest;
      return list.map((x) => filter.call(this, x, ...restKw));
    },
  },
  select: {
    params: ['*'],
    fn(this: any, v: unknown, test?: unknown, ...a: unknown[]) {
      return toList(v, 'select').filter((x) => runTest(this, test, x, a));
    },
  },
  reject: {
    params: ['*'],
    fn(this: any, v: unknown, test?: unknown, ...a: unknown[]) {
      return toList(v, 'reject').filter((x) => !runTest(this, test, x, a));
    },
  },
  selectattr: {
    params: ['*'],
    fn(this: any, v: unknown, attr: unknown, test?: unknown, ...a: unknown[]) {
      const get = attrGetter(attr);
      return toList(v, 'selectattr').filter((x) => runTest(this, test, get(x), a));
    },
  },
  rejectattr: {
    params: ['*'],
    fn(this: any, v: unknown, attr: unknown, test?: unknown, ...a: unknown[]) {
      const get = attrGetter(attr);
      return toList(v, 'rejectattr').filter((x) => !runTest(this, test, get(x), a));
    },
  },
  dictsort: {
    params: ['case_sensitive', 'by', 'reverse'],
    fn: (v: unknown, cs?: unknown, by?: unknown, reverse?: unknown) => {
      if (!isMap(v)) throw new TemplateFault(`dictsort: ${pyRepr(v)} is not a dict`);
      const i = by === 'value' ? 1 : 0;
      const out = itemTuples(v).sort((a, b) => cmp(a[i], b[i], Boolean(cs)));
      return reverse ? out.reverse() : out;
    },
  },
  sort: {
    params: ['reverse', 'case_sensitive', 'attribute'],
    fn: (v: unknown, reverse?: unknown, cs?: unknown, attribute?: unknown) => {
      const get = attrGetter(attribute);
      const out = [...toList(v, 'sort')].sort((a, b) => cmp(get(a), get(b), Boolean(cs)));
      return reverse ? out.reverse() : out;
    },
  },
  join: {
    params: ['d', 'attribute'],
    fn: (v: unknown, d?: unknown, attribute?: unknown) =>
      toList(v, 'join')
        .map(attrGetter(attribute))
        .map((x) => pyStr(x))
        .join(d === undefined ? '' : pyStr(d)),
  },
  list: { params: [], fn: (v: unknown) => [...toList(v, 'list')] },
  items: {
    params: [],
    fn: (v: unknown) =>
      v === undefined
        ? []
        : isMap(v)
          ? itemTuples(v)
          : (() => {
              throw new TemplateFault(`items: ${pyRepr(v)} is not a dict`);
            })(),
  },
  min: {
    params: ['case_sensitive', 'attribute'],
    fn: (v: unknown, cs?: unknown, a?: unknown) =>
      [...toList(v, 'min')].sort((x, y) => cmp(attrGetter(a)(x), attrGetter(a)(y), Boolean(cs)))[0] ?? null,
  },
  max: {
    params: ['case_sensitive', 'attribute'],
    fn: (v: unknown, cs?: unknown, a?: unknown) =>
      [...toList(v, 'max')].sort((x, y) => cmp(attrGetter(a)(x), attrGetter(a)(y), Boolean(cs))).pop() ?? null,
  },
  attr: { params: ['name'], fn: (v: unknown, name: unknown) => attrGetter(name)(v) },
  is_list: { params: [], fn: (v: unknown) => Array.isArray(v) },
  sequence: { params: [], fn: (v: unknown) => (Array.isArray(v) ? v : [v]) },
  groupby: {
    params: ['attribute', 'default'],
    fn: (v: unknown, attribute: unknown, dflt?: unknown) => {
      const get = attrGetter(attribute);
      const groups = new Map<unknown, unknown[]>();
      const items = [...toList(v, 'groupby')].sort((a, b) => cmp(get(a) ?? dflt, get(b) ?? dflt, true));
      for (const x of items) {
        const k = get(x) ?? dflt;
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k)!.push(x);
      }
      return [...groups].map(([grouper, list]) => Object.assign(tuple([grouper, list]), { grouper, list }));
    },
  },
} as const;
