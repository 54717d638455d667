// Text filters with Jinja/Salt semantics: indent, regex_*, quote, hashes, base64, format.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { isStr, pyPercent, pyRepr, pyStr, TemplateFault, tuple } from './pyvalue.js';
import { splitKw } from './kwargs.js';

/** Jinja's indent(width=4, first=False, blank=False): blank lines stay empty unless blank. */
function indent(s: unknown, width?: unknown, first?: unknown, blank?: unknown): string {
  const ind = isStr(width) ? String(width) : ' '.repeat(width === undefined || width === null ? 4 : Number(width));
  const text = `${pyStr(s ?? '')}\n`;
  const lines = text.split(/\r\n|\n|\r/);
  lines.pop();
  let rv: string;
  if (blank) rv = lines.join(`\n${ind}`);
  else {
    rv = lines.shift() ?? '';
    if (lines.length) rv += `\n${lines.map((l) => (l ? ind + l : l)).join('\n')}`;
  }
  if (first) rv = ind + rv;
  return rv;
}

/** Python re syntax -> JavaScript RegExp. */
export function pyRegex(pattern: unknown, flags: string): RegExp {
  const src = String(pattern)
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new TemplateFault(`invalid regular expression ${pyRepr(String(pattern))}: ${(e as Error).message}`);
  }
}

function pyReplacement(repl: string): string {
  return repl
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\w+)>|\\(\d+)|\\\\/g, (_m, name: string | undefined, num: string | undefined) => {
      if (name !== undefined) return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
      if (num !== undefined) return `$${num}`;
      return '\\';
    });
}

function reFlags(ignorecase: unknown, multiline: unknown, extra = ''): string {
  return `${ignorecase ? 'i' : ''}${multiline ? 'm' : ''}${extra}`;
}

function shellQuote(v: unknown): string {
  const s = pyStr(v);
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

const hash = (algo: string) => (v: unknown) => createHash(algo).update(pyStr(v)).digest('hex');

export const textFilters = {
  indent: {
    params: ['width', 'first', 'blank', 'indentfirst'],
    fn: (s: unknown, w?: unknown, f?: unknown, b?: unknown, f2?: unknown) => indent(s, w, f ?? f2, b),
  },
  regex_replace: {
    params: ['rgx', 'val', 'ignorecase', 'multiline'],
    fn: (s: unknown, rgx: unknown, val: unknown, ic?: unknown, ml?: unknown) =>
      pyStr(s).replace(pyRegex(rgx, reFlags(ic, ml, 'g')), pyReplacement(pyStr(val ?? ''))),
  },
  regex_search: {
    params: ['rgx', 'ignorecase', 'multiline'],
    fn: (s: unknown, rgx: unknown, ic?: unknown, ml?: unknown) => {
      const m = pyRegex(rgx, reFlags(ic, ml)).exec(pyStr(s));
      return m ? tuple(m.slice(1).map((g) => g ?? null)) : null;
    },
  },
  regex_match: {
    params: ['rgx', 'ignorecase', 'multiline'],
    fn: (s: unknown, rgx: unknown, ic?: unknown, ml?: unknown) => {
      const m = pyRegex(`^(?:${String(rgx)})`, reFlags(ic, ml)).exec(pyStr(s));
      return m ? tuple(m.slice(1).map((g) => g ?? null)) : null;
    },
  },
  regex_escape: { params: [], fn: (s: unknown) => pyStr(s).replace(/[^A-Za-z0-9_]/g, '\\$&') },
  quote: { params: [], fn: shellQuote },
  md5: { params: [], fn: hash('md5') },
  sha1: { params: [], fn: hash('sha1') },
  sha256: { params: [], fn: hash('sha256') },
  sha512: { params: [], fn: hash('sha512') },
  b64encode: { params: [], fn: (v: unknown) => Buffer.from(pyStr(v), 'utf8').toString('base64') },
  b64decode: { params: [], fn: (v: unknown) => Buffer.from(pyStr(v), 'base64').toString('utf8') },
  base64_encode: { params: [], fn: (v: unknown) => Buffer.from(pyStr(v), 'utf8').toString('base64') },
  base64_decode: { params: [], fn: (v: unknown) => Buffer.from(pyStr(v), 'base64').toString('utf8') },
  path_join: { params: ['*'], fn: (...parts: unknown[]) => posix.join(...parts.map((p) => pyStr(p))) },
  basename: { params: [], fn: (v: unknown) => posix.basename(pyStr(v)) },
  dirname: { params: [], fn: (v: unknown) => posix.dirname(pyStr(v)) },
  string: { params: [], fn: (v: unknown) => (v === undefined ? '' : pyStr(v)) },
  format: {
    params: ['*'],
    fn: (fmt: unknown, ...args: unknown[]) => {
      const { pos, kw } = splitKw(args);
      return pyPercent(pyStr(fmt), Object.keys(kw).length ? kw : tuple(pos));
    },
  },
  int: {
    params: ['default', 'base'],
    fn: (v: unknown, d?: unknown, base?: unknown) => {
      const dflt = d === undefined ? 0 : d;
      if (typeof v === 'number') return Math.trunc(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      const s = pyStr(v ?? '')
        .trim()
        .replace(/_/g, '');
      const b = base === undefined ? 10 : Number(base);
      const re =
        b === 16
          ? /^[-+]?(0x)?[0-9a-f]+$/i
          : b === 8
            ? /^[-+]?(0o)?[0-7]+$/i
            : b === 2
              ? /^[-+]?(0b)?[01]+$/i
              : /^[-+]?\d+$/;
      if (re.test(s)) return parseInt(s.replace(/^([-+]?)0[xob]/i, '$1'), b);
      const f = Number(s);
      return s !== '' && Number.isFinite(f) ? Math.trunc(f) : dflt;
    },
  },
  float: {
    params: ['default'],
    fn: (v: unknown, d?: unknown) => {
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      const s = pyStr(v ?? '').trim();
      const f = Number(s);
      return s !== '' && Number.isFinite(f) ? f : d === undefined ? 0 : d;
    },
  },
  to_bool: {
    params: [],
    fn: (v: unknown) => {
      if (v === null || v === undefined) return false;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v > 0;
      if (isStr(v)) return ['yes', '1', 'true', 'on', 'y'].includes(String(v).toLowerCase());
      return Array.isArray(v) ? v.length > 0 : Object.keys(v as object).length > 0;
    },
  },
} as const;
