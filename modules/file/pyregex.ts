// Python `re` syntax as SLS writes it, translated to JavaScript RegExp: named groups
// (?P<n>...) and (?P=n), replacement backrefs \1 and \g<n>, and flags by name or number.

import { StateError } from '../../engine/errors.js';

const FLAG_BITS: Record<string, [number, string]> = {
  IGNORECASE: [2, 'i'],
  I: [2, 'i'],
  MULTILINE: [8, 'm'],
  M: [8, 'm'],
  DOTALL: [16, 's'],
  S: [16, 's'],
  UNICODE: [32, 'u'],
  U: [32, 'u'],
};

export function jsFlags(flags: unknown, where: string): string {
  const out = new Set<string>();
  if (flags === undefined || flags === null) return 'm';
  if (typeof flags === 'number') {
    for (const [bit, f] of Object.values(FLAG_BITS)) if (flags & bit) out.add(f);
  } else {
    for (const name of Array.isArray(flags) ? flags : [flags]) {
      const f = FLAG_BITS[String(name).toUpperCase()];
      if (!f) throw new StateError(where, `unknown regex flag '${String(name)}'`);
      out.add(f[1]);
    }
  }
  return [...out].join('');
}

export function pyPattern(p: string): string {
  return p.replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>');
}

/** Python replacement string -> JS replacement string. */
export function pyRepl(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === '$') {
      out += '$$';
    } else if (c === '\\' && i + 1 < r.length) {
      const rest = r.slice(i + 1);
      const g = /^g<(\w+)>/.exec(rest);
      const d = /^(\d{1,2})/.exec(rest);
      if (g) {
        out += /^\d+$/.test(g[1]!) ? `$${g[1]}` : `$<${g[1]}>`;
        i += g[0].length;
      } else if (d) {
        out += `$${d[1]}`;
        i += d[0].length;
      } else {
        const n = rest[0]!;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === '\\' ? '\\' : '\\' + n;
        i += 1;
      }
    } else {
      out += c;
    }
  }
  return out;
}

export function compile(pattern: string, flags: unknown, where: string, global: boolean): RegExp {
  try {
    return new RegExp(pyPattern(pattern), jsFlags(flags, where) + (global ? 'g' : ''));
  } catch (e) {
    throw new StateError(where, `invalid pattern: ${(e as Error).message}`);
  }
}
