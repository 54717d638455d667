// Python methods on dicts, lists and strings (`d.items()`, `s.split(',')`, `l.append(x)`), looked
// up by the patched nunjucks member lookup. A real key of a dict always wins over a method, so a
// pillar key named `items` or `get` still reads as data.
import { copyTyped, dictEntries, dictKeys, pyKey, setTyped } from './dictkeys.js';
import { bindArgs, splitKw } from './kwargs.js';
import { isMap, isStr, itemTuples, pyFormat, pyRepr, pyStr, TemplateFault, tuple } from './pyvalue.js';

type Method = (self: never, ...args: unknown[]) => unknown;

function pyIndex(len: number, i: unknown): number {
  const n = Number(i ?? len - 1);
  return n < 0 ? n + len : n;
}

function wsSplit(s: string, max: number): string[] {
  const out: string[] = [];
  let rest = s.replace(/^\s+/, '');
  while (rest.length) {
    if (max >= 0 && out.length === max) {
      out.push(rest);
      break;
    }
    const m = /\s+/.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    out.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

function split(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (sep === undefined || sep === null) return wsSplit(s, max);
  const d = String(sep);
  if (d === '') throw new TemplateFault('ValueError: empty separator');
  const parts = s.split(d);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(d)];
}

function rsplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (max < 0) return split(s, sep, maxsplit);
  if (sep === undefined || sep === null) {
    const parts = wsSplit(s, -1);
    if (parts.length <= max + 1) return parts;
    return [
      s
        .trim()
        .split(/\s+/)
        .slice(0, parts.length - max)
        .join(' '),
      ...parts.slice(parts.length - max),
    ];
  }
  const d = String(sep);
  const parts = s.split(d);
  if (parts.length <= max + 1) return parts;
  return [parts.slice(0, parts.length - max).join(d), ...parts.slice(parts.length - max)];
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    let out = s;
    if (left) out = out.replace(/^\s+/, '');
    if (right) out = out.replace(/\s+$/, '');
    return out;
  }
  const set = new Set(String(chars));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.has(s[a]!)) a++;
  if (right) while (b > a && set.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function prefixTest(s: string, p: unknown, start: boolean): boolean {
  const list = Array.isArray(p) ? p : [p];
  return list.some((x) => (start ? s.startsWith(String(x)) : s.endsWith(String(x))));
}

const STR: Record<string, Method> = {
  split: (s: string, ...a) => split(s, ...(bindArgs('split', ['sep', 'maxsplit'], a) as [unknown, unknown])),
  rsplit: (s: string, ...a) => rsplit(s, ...(bindArgs('rsplit', ['sep', 'maxsplit'], a) as [unknown, unknown])),
  splitlines: (s: string) => s.split(/\r?\n/).filter((x, i, all) => i < all.length - 1 || x !== ''),
  strip: (s: string, c?: unknown) => stripChars(s, c, true, true),
  lstrip: (s: string, c?: unknown) => stripChars(s, c, true, false),
  rstrip: (s: string, c?: unknown) => stripChars(s, c, false, true),
  startswith: (s: string, p: unknown) => prefixTest(s, p, true),
  endswith: (s: string, p: unknown) => prefixTest(s, p, false),
  upper: (s: string) => s.toUpperCase(),
  lower: (s: string) => s.toLowerCase(),
  title: (s: string) => s.replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
  replace: (s: string, old: unknown, nw: unknown, count?: unknown) => {
    const o = String(old);
    const parts = s.split(o);
    const n = count === undefined || count === null || Number(count) < 0 ? parts.length : Number(count) + 1;
    return [parts.slice(0, n).join(String(nw)), ...parts.slice(n)].join(o);
  },
  format: (s: string, ...a) => {
    const { pos, kw } = splitKw(a);
    return pyFormat(s, pos, kw);
  },
  join: (s: string, items: unknown) => {
    const list = Array.isArray(items)
      ? items
      : isMap(items)
        ? Object.keys(items)
        : isStr(items)
          ? [...String(items)]
          : null;
    if (!list) throw new TemplateFault(`str.join() needs a list, got ${pyRepr(items)}`);
    return list
      .map((x) => {
        if (!isStr(x)) throw new TemplateFault(`str.join(): sequence item ${pyRepr(x)} is not a string`);
        return String(x);
      })
      .join(s);
  },
  find: (s: string, sub: unknown) => s.indexOf(String(sub)),
  rfind: (s: string, sub: unknown) => s.lastIndexOf(String(sub)),
  index: (s: string, sub: unknown) => {
    const i = s.indexOf(String(sub));
    if (i < 0) throw new TemplateFault('ValueError: substring not found');
    return i;
  },
  count: (s: string, sub: unknown) => s.split(String(sub)).length - 1,
  isdigit: (s: string) => /^\d+$/.test(s),
  isalpha: (s: string) => /^[A-Za-z]+$/.test(s),
  isalnum: (s: string) => /^[A-Za-z0-9]+$/.test(s),
  isspace: (s: string) => /^\s+$/.test(s),
  islower: (s: string) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s: string) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  zfill: (s: string, w: unknown) =>
    s.startsWith('-') ? `-${s.slice(1).padStart(Number(w) - 1, '0')}` : s.padStart(Number(w), '0'),
  ljust: (s: string, w: unknown, f?: unknown) => s.padEnd(Number(w), f === undefined ? ' ' : String(f)),
  rjust: (s: string, w: unknown, f?: unknown) => s.padStart(Number(w), f === undefined ? ' ' : String(f)),
  center: (s: string, w: unknown) => {
    const pad = Math.max(0, Number(w) - s.length);
    return ' '.repeat(Math.floor(pad / 2)) + s + ' '.repeat(Math.ceil(pad / 2));
  },
  partition: (s: string, sep: unknown) => {
    const i = s.indexOf(String(sep));
    return tuple(i < 0 ? [s, '', ''] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)]);
  },
  rpartition: (s: string, sep: unknown) => {
    const i = s.lastIndexOf(String(sep));
    return tuple(i < 0 ? ['', '', s] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)]);
  },
  encode: (s: string) => s,
  decode: (s: string) => s,
};

const LIST: Record<string, Method> = {
  append: (l: unknown[], x: unknown) => {
    l.push(x);
    return null;
  },
  extend: (l: unknown[], xs: unknown) => {
    if (!Array.isArray(xs)) throw new TemplateFault(`list.extend() needs a list, got ${pyRepr(xs)}`);
    l.push(...xs);
    return null;
  },
  insert: (l: unknown[], i: unknown, x: unknown) => {
    l.splice(pyIndex(l.length, i), 0, x);
    return null;
  },
  pop: (l: unknown[], i?: unknown) => {
    if (!l.length) throw new TemplateFault('IndexError: pop from empty list');
    const n = pyIndex(l.length, i);
    if (n < 0 || n >= l.length) throw new TemplateFault('IndexError: pop index out of range');
    return l.splice(n, 1)[0];
  },
  remove: (l: unknown[], x: unknown) => {
    const i = l.indexOf(x);
    if (i < 0) throw new TemplateFault(`ValueError: list.remove(${pyRepr(x)}): not in list`);
    l.splice(i, 1);
    return null;
  },
  index: (l: unknown[], x: unknown) => {
    const i = l.indexOf(x);
    if (i < 0) throw new TemplateFault(`ValueError: ${pyRepr(x)} is not in list`);
    return i;
  },
  count: (l: unknown[], x: unknown) => l.filter((y) => y === x).length,
  copy: (l: unknown[]) => [...l],
  reverse: (l: unknown[]) => {
    l.reverse();
    return null;
  },
  sort: (l: unknown[], ...a) => {
    const [, reverse] = bindArgs('sort', ['key', 'reverse'], a);
    l.sort((x, y) => (x! < y! ? -1 : x! > y! ? 1 : 0));
    if (reverse) l.reverse();
    return null;
  },
};

const DICT: Record<string, Method> = {
  items: (d: Record<string, unknown>) => itemTuples(d),
  iteritems: (d: Record<string, unknown>) => itemTuples(d),
  keys: (d: Record<string, unknown>) => dictKeys(d),
  iterkeys: (d: Record<string, unknown>) => dictKeys(d),
  values: (d: Record<string, unknown>) => Object.values(d),
  itervalues: (d: Record<string, unknown>) => Object.values(d),
  get: (d: Record<string, unknown>, ...a) => {
    const [k, def] = bindArgs('get', ['key', 'default'], a);
    const key = pyKey(k);
    return Object.hasOwn(d, key) ? d[key] : (def ?? null);
  },
  has_key: (d: Record<string, unknown>, k: unknown) => Object.hasOwn(d, pyKey(k)),
  update: (d: Record<string, unknown>, ...a) => {
    const { pos, kw } = splitKw(a);
    for (const src of pos) {
      if (isMap(src)) for (const [k, v] of dictEntries(src)) setTyped(d, k, v);
      else if (Array.isArray(src)) for (const pair of src) d[String((pair as unknown[])[0])] = (pair as unknown[])[1];
      else if (src !== undefined && src !== null)
        throw new TemplateFault(`dict.update() needs a dict, got ${pyRepr(src)}`);
    }
    Object.assign(d, kw);
    return null;
  },
  setdefault: (d: Record<string, unknown>, k: unknown, def?: unknown) => {
    const key = pyKey(k);
    if (!Object.hasOwn(d, key)) d[key] = def ?? null;
    return d[key];
  },
  pop: (d: Record<string, unknown>, k: unknown, ...rest) => {
    const key = pyKey(k);
    if (Object.hasOwn(d, key)) {
      const v = d[key];
      delete d[key];
      return v;
    }
    if (rest.length) return rest[0];
    throw new TemplateFault(`KeyError: ${pyRepr(key)}`);
  },
  copy: (d: Record<string, unknown>) => {
    const c = { ...d };
    copyTyped(d, c);
    return c;
  },
};

/**
 * The Python method `name` of `obj`, bound, or undefined. For dicts a real key wins (checked by
 * the caller); for strings the Python method wins over the JavaScript one of the same name
 * (`'a-b-c'.replace('-', '_')` must replace every occurrence, `split()` must split on spaces).
 */
export function pyMethod(obj: unknown, name: string): ((...a: unknown[]) => unknown) | undefined {
  let table: Record<string, Method> | undefined;
  let self: unknown = obj;
  if (isStr(obj)) {
    table = STR;
    self = String(obj);
  } else if (Array.isArray(obj)) table = LIST;
  else if (isMap(obj)) table = DICT;
  if (!table || !Object.hasOwn(table, name)) return undefined;
  const m = table[name]!;
  return (...a: unknown[]) => (m as (s: unknown, ...x: unknown[]) => unknown)(self, ...a);
}

export { pyStr };
