// Jinja `is` tests nunjucks lacks (none, sequence, boolean, integer, float, in, match, search...).
import { pyRegex } from './filters-text.js';
import { isMap, isStr, pyStr } from './pyvalue.js';

export const jinjaTests: Record<string, (v: unknown, ...a: unknown[]) => boolean> = {
  none: (v) => v === null,
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  number: (v) => typeof v === 'number',
  string: (v) => isStr(v),
  mapping: (v) => isMap(v),
  sequence: (v) => Array.isArray(v) || isStr(v) || isMap(v),
  iterable: (v) => Array.isArray(v) || isStr(v) || isMap(v),
  list: (v) => Array.isArray(v),
  in: (v, seq) =>
    Array.isArray(seq)
      ? seq.includes(v)
      : isMap(seq)
        ? Object.hasOwn(seq, String(v))
        : isStr(seq)
          ? String(seq).includes(String(v))
          : false,
  match: (v, rgx, ic, ml) => pyRegex(`^(?:${String(rgx)})`, `${ic ? 'i' : ''}${ml ? 'm' : ''}`).test(pyStr(v)),
  search: (v, rgx, ic, ml) => pyRegex(rgx, `${ic ? 'i' : ''}${ml ? 'm' : ''}`).test(pyStr(v)),
};
