// The serializers file.serialize writes with, as Salt's: yaml (PyYAML safe_dump, block style,
// keys sorted, sequences not indented under their key) and json (indent 2, keys sorted, ASCII).
import { parse, stringify } from 'yaml';
import deepmerge from 'deepmerge';

export type Formatter = 'yaml' | 'json';

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isMap(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  return v;
}

export function serialize(data: unknown, fmt: Formatter): string {
  if (fmt === 'json') {
    const text = JSON.stringify(sortKeys(data), null, 2) ?? 'null';
    return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return stringify(data ?? null, {
    version: '1.1',
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
    singleQuote: true,
  });
}

/** Parses an existing file for merge_if_exists; throws with the parser's message. */
export function deserialize(text: string, fmt: Formatter): unknown {
  return fmt === 'json' ? JSON.parse(text) : parse(text, { version: '1.1' });
}

/** Salt's merge_recurse: maps merged deeply, lists replaced (or concatenated with merge_lists). */
export function mergeRecurse(existing: unknown, dataset: unknown, mergeLists: boolean): unknown {
  if (!isMap(existing) || !isMap(dataset)) return dataset;
  return deepmerge(existing, dataset, {
    arrayMerge: mergeLists
      ? (a, b) => [...a, ...b.filter((x) => !a.some((y) => JSON.stringify(y) === JSON.stringify(x)))]
      : (_a, b) => b,
    isMergeableObject: (v) => isMap(v) || Array.isArray(v),
  });
}
