// Python value semantics the templates of real Salt SLS rely on: repr/str of values (what
// `{{ x }}` prints in Jinja), truthiness, '%' formatting and str.format.
import { safeGet } from './safe-get.js';
import { dictEntries } from './dictkeys.js';

/** A failure inside a template helper; the renderer turns it into a RenderError with file:line. */
export class TemplateFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateFault';
  }
}

const TUPLES = new WeakSet<object>();

/** Marks a list as a Python tuple: printed `(a, b)`, spread by `'%s %s' % t`. */
export function tuple<T extends unknown[]>(list: T): T {
  TUPLES.add(list);
  return list;
}
export function isTuple(v: unknown): v is unknown[] {
  return Array.isArray(v) && TUPLES.has(v);
}
/** dict.items() and friends: a list of (key, value) tuples. */
export function itemTuples(d: Record<string, unknown>): Array<[unknown, unknown]> {
  return dictEntries(d).map((e) => tuple(e));
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof String) && !(v instanceof Date);
}

export function isStr(v: unknown): v is string | string {
  return typeof v === 'string' || v instanceof String;
}

function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return q + out + q;
}

/** Python's repr(). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (isStr(v)) return reprString(String(v));
  if (isTuple(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isMap(v))
    return `{${dictEntries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** Python's str(): what Jinja prints for `{{ v }}`. */
export function pyStr(v: unknown): string {
  if (isStr(v)) return String(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return pyRepr(v);
}

export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  if (v instanceof String) return v.length > 0;
  return Boolean(v);
}

function padNum(s: string, flags: string, width: number, zeroOk: boolean): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width);
  if (flags.includes('0') && zeroOk) {
    const neg = s.startsWith('-') || s.startsWith('+');
    return neg ? s[0] + s.slice(1).padStart(width - 1, '0') : s.padStart(width, '0');
  }
  return s.padStart(width);
}

function toNumber(v: unknown, conv: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TemplateFault(`%${conv} format: a number is required, not ${pyRepr(v)}`);
}

/** Python's printf-style `fmt % args` (args: one value, a list/tuple, or a dict for %(name)s). */
export function pyPercent(fmt: string, args: unknown): string {
  const positional = isTuple(args) ? args : [args];
  let i = 0;
  let usedNamed = false;
  const re = /%(?:\(([^)]*)\))?([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([sdirfFeExXogGc%])/g;
  const out = fmt.replace(
    re,
    (_m, name: string | undefined, flags: string, w: string | undefined, prec: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      let v: unknown;
      if (name !== undefined) {
        if (!isMap(args)) throw new TemplateFault(`'%(${name})${conv}' format requires a mapping`);
        if (!Object.hasOwn(args, name)) throw new TemplateFault(`KeyError: '${name}' in '%' format`);
        v = args[name];
        usedNamed = true;
      } else {
        if (i >= positional.length) throw new TemplateFault(`not enough arguments for format string '${fmt}'`);
        v = positional[i++];
      }
      const width = w === undefined || w === '*' ? 0 : Number(w);
      let s: string;
      switch (conv) {
        case 's':
          s = pyStr(v);
          if (prec !== undefined) s = s.slice(0, Number(prec));
          return padNum(s, flags, width, false);
        case 'r':
          return padNum(pyRepr(v), flags, width, false);
        case 'd':
        case 'i': {
          const n = Math.trunc(toNumber(v, conv));
          s = (flags.includes('+') && n >= 0 ? '+' : '') + String(n);
          return padNum(s, flags, width, true);
        }
        case 'f':
        case 'F': {
          const n = toNumber(v, conv);
          s = (flags.includes('+') && n >= 0 ? '+' : '') + n.toFixed(prec === undefined ? 6 : Number(prec));
          return padNum(s, flags, width, true);
        }
        case 'e':
        case 'E': {
          const n = toNumber(v, conv);
          s = n.toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2');
          return padNum(conv === 'E' ? s.toUpperCase() : s, flags, width, true);
        }
        case 'x':
        case 'X':
        case 'o': {
          const n = Math.trunc(toNumber(v, conv));
          s = n.toString(conv === 'o' ? 8 : 16);
          if (flags.includes('#')) s = (conv === 'o' ? '0o' : '0x') + s;
          return padNum(conv === 'X' ? s.toUpperCase() : s, flags, width, true);
        }
        case 'g':
        case 'G':
          return padNum(String(toNumber(v, conv)), flags, width, true);
        case 'c':
          return typeof v === 'number' ? String.fromCodePoint(v) : pyStr(v);
        default:
          throw new TemplateFault(`unsupported format character '${conv}'`);
      }
    },
  );
  if (!usedNamed && i < positional.length) {
    throw new TemplateFault(`not all arguments converted during string formatting ('${fmt}')`);
  }
  return out;
}

/** Python's `a % b`: string formatting for strings, floor modulo for numbers. */
export function pyMod(a: unknown, b: unknown): unknown {
  if (isStr(a)) return pyPercent(String(a), b);
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) throw new TemplateFault('integer division or modulo by zero');
    return ((a % b) + b) % b;
  }
  throw new TemplateFault(`unsupported operand types for %: ${pyRepr(a)} and ${pyRepr(b)}`);
}

function formatSpec(v: unknown, spec: string): string {
  if (!spec) return pyStr(v);
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?(,)?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (!m) throw new TemplateFault(`invalid format spec '${spec}'`);
  const [, fillCh, align, sign, , zero, width, comma, prec, type] = m;
  let s: string;
  if (type === 'f' || type === 'F') s = toNumber(v, type).toFixed(prec === undefined ? 6 : Number(prec));
  else if (type === 'd') s = String(Math.trunc(toNumber(v, type)));
  else if (type === 'x' || type === 'X') s = Math.trunc(toNumber(v, type)).toString(16);
  else if (type === 'o') s = Math.trunc(toNumber(v, type)).toString(8);
  else if (type === 'b') s = Math.trunc(toNumber(v, type)).toString(2);
  else if (type === '%') s = `${(toNumber(v, type) * 100).toFixed(prec === undefined ? 6 : Number(prec))}%`;
  else {
    s = pyStr(v);
    if (prec !== undefined && isStr(v)) s = s.slice(0, Number(prec));
  }
  if (type === 'X') s = s.toUpperCase();
  if (comma) s = s.replace(/^(-?\d+)/, (d) => d.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
  if (sign === '+' && typeof v === 'number' && v >= 0) s = `+${s}`;
  const w = width === undefined ? 0 : Number(width);
  const fill = fillCh ?? (zero ? '0' : ' ');
  const al = align ?? (typeof v === 'number' ? '>' : '<');
  if (s.length >= w) return s;
  const pad = w - s.length;
  if (al === '<') return s + fill.repeat(pad);
  if (al === '^') return fill.repeat(Math.floor(pad / 2)) + s + fill.repeat(Math.ceil(pad / 2));
  return fill.repeat(pad) + s;
}

function fieldValue(path: string, args: unknown[], kwargs: Record<string, unknown>, auto: { i: number }): unknown {
  const m = /^([^.[]*)(.*)$/.exec(path)!;
  const head = m[1]!;
  let v: unknown;
  if (head === '') v = args[auto.i++];
  else if (/^\d+$/.test(head)) v = args[Number(head)];
  else {
    if (!Object.hasOwn(kwargs, head)) throw new TemplateFault(`KeyError: '${head}' in str.format`);
    v = kwargs[head];
  }
  const rest = m[2]!;
  for (const part of rest.matchAll(/\.([^.[]+)|\[([^\]]+)\]/g)) {
    const key = part[1] ?? part[2]!;
    v = safeGet(v, key);
  }
  if (v === undefined && head !== '' && !/^\d+$/.test(head)) return v;
  return v;
}

/** Python's str.format(*args, **kwargs). */
export function pyFormat(fmt: string, args: unknown[], kwargs: Record<string, unknown>): string {
  const auto = { i: 0 };
  return fmt.replace(
    /\{\{|\}\}|\{([^{}!:]*)(?:!([rs]))?(?::([^{}]*))?\}/g,
    (whole, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
      if (whole === '{{') return '{';
      if (whole === '}}') return '}';
      const v = fieldValue(field ?? '', args, kwargs, auto);
      if (conv === 'r') return formatSpec(pyRepr(v), spec ?? '');
      return formatSpec(v, spec ?? '');
    },
  );
}
