// Salt's pillar/grain matcher (`appliance:enabled:true`): the key path is the part before some
// colon, the rest a glob (or regex) matched case-insensitively against the value; a list matches
// if one element does, a dict if one of its keys does.
import { fnmatch } from '../fnmatch.js';

function valueMatch(target: unknown, pattern: string, regex: boolean): boolean {
  if (target === null || target === undefined)
    return regex ? new RegExp(pattern, 'i').test('none') : fnmatch('none', pattern, { nocase: true }) || pattern === '';
  if (Array.isArray(target)) return target.some((t) => valueMatch(t, pattern, regex));
  if (typeof target === 'object') return Object.keys(target as object).some((k) => valueMatch(k, pattern, regex));
  const s = String(target).toLowerCase();
  if (regex) return new RegExp(`^(?:${pattern})`, 'i').test(s);
  return fnmatch(s, pattern, { nocase: true });
}

function lookup(data: unknown, path: string[]): { found: boolean; value: unknown } {
  let v: unknown = data;
  for (const p of path) {
    if (Array.isArray(v)) {
      // a list of dicts: look the key up in each (Salt's subdict_match does this)
      const hits = v
        .filter((x) => x && typeof x === 'object' && !Array.isArray(x) && Object.hasOwn(x, p))
        .map((x) => (x as Record<string, unknown>)[p]);
      if (!hits.length) return { found: false, value: undefined };
      v = hits.length === 1 ? hits[0] : hits;
    } else if (v && typeof v === 'object' && Object.hasOwn(v, p)) v = (v as Record<string, unknown>)[p];
    else return { found: false, value: undefined };
  }
  return { found: true, value: v };
}

export function subdictMatch(data: Record<string, unknown>, expr: string, regex = false, delimiter = ':'): boolean {
  const parts = expr.split(delimiter);
  if (parts.length < 2) return false;
  // Try every split point: the key path may itself contain the delimiter... longest key first.
  for (let i = parts.length - 1; i >= 1; i--) {
    const { found, value } = lookup(data, parts.slice(0, i));
    if (found && valueMatch(value, parts.slice(i).join(delimiter), regex)) return true;
  }
  return false;
}
