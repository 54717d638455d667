// Filters Salt formulas use that the other tables lack or get wrong for dicts: Salt's `traverse`,
// and Jinja's `first`/`last` on any iterable (a dict's first key, a string's first character).
import { dictKeys } from './dictkeys.js';
import { traverse } from './salt.js';
import { isMap, isStr, pyRepr, TemplateFault } from './pyvalue.js';

function items(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return dictKeys(v);
  if (isStr(v)) return [...String(v)];
  if (v === undefined) throw new TemplateFault(`${what}: the value is undefined`);
  throw new TemplateFault(`${what}: ${pyRepr(v)} is not iterable`);
}

export const compatFilters = {
  /** Salt: `data|traverse('a:b:0', default=None, delimiter=':')`. */
  traverse: {
    params: ['key', 'default', 'delimiter'],
    fn: (v: unknown, key: unknown, dflt?: unknown, delimiter?: unknown) => {
      const got = traverse(v, String(key), delimiter == null ? ':' : String(delimiter));
      return got === undefined ? (dflt === undefined ? null : dflt) : got;
    },
  },
  // an empty sequence gives an undefined value, as in Jinja
  first: { params: [], fn: (v: unknown) => items(v, 'first')[0] },
  last: { params: [], fn: (v: unknown) => items(v, 'last').at(-1) },
};
