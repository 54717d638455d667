// `brine env export`: the env flattened into shell assignments, the way the appliance's shell
// scripts read it (keys joined with _ and upper-cased, prefixed by the top key; lists as _0.._N
// plus _LEN; booleans true/false; null empty; strings trimmed and shell-quoted; lines sorted).
import { EnvError } from '../errors.js';
import { shQuote } from '../host/exec.js';
import { isPlainMap, type Tree } from './merge.js';

function flatten(v: unknown, key: string, out: Map<string, string>): void {
  const join = (k: string): string => (key ? `${key}_${k}` : k);
  if (Array.isArray(v)) {
    v.forEach((x, i) => flatten(x, join(String(i)), out));
    out.set(join('len'), String(v.length));
  } else if (isPlainMap(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, join(k), out);
  } else if (v === null || v === undefined) {
    out.set(key, '');
  } else if (typeof v === 'string') {
    out.set(key, shQuote(v.trim()));
  } else if (v instanceof Date) {
    out.set(key, shQuote(v.toISOString()));
  } else {
    out.set(key, String(v)); // booleans: true/false, numbers as written
  }
}

const varName = (k: string): string => k.toUpperCase().replace(/[^A-Z0-9_]/g, '_');

/**
 * `keys`: comma-separated top-level keys (`appliance,ecs`) or `.` for the whole env.
 * Returns the lines (without trailing newline), sorted.
 */
export function exportEnv(tree: Tree, keys: string, prefix = ''): string[] {
  const lines: string[] = [];
  for (const k of keys
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const flat = new Map<string, string>();
    if (k === '.') flatten(tree, '', flat);
    else if (k in tree) flatten(tree[k], k, flat);
    else throw new EnvError('env', `key '${k}' not found (top-level keys: ${Object.keys(tree).join(', ')})`);
    for (const [name, value] of flat) lines.push(`${prefix}${varName(name)}=${value}`);
  }
  return [...new Set(lines)].sort();
}
