// file.keyvalue: `key<separator>value` lines set in a file (Salt's file.keyvalue): a line whose key
// matches gets the wanted value (the first `count` such lines; -1: all), a commented-out one is
// uncommented with `uncomment`, and a key not found is appended/prepended when asked.

import { StateError } from '../../engine/errors.js';
import type { StateFunction } from '../../engine/contract.js';
import { bool, objectSchema } from './common.js';
import { textFileGather, textWave, type TextFileFacts } from './text.js';
import { applyEdit, joinEdited, planEdit } from './textedit.js';
import type { ContentChange } from './changes.js';

type Scalar = string | number | boolean;

export interface KeyvalueArgs {
  name: string;
  key?: string | number;
  value?: Scalar;
  key_values?: Record<string, Scalar>;
  separator?: string;
  append_if_not_found?: boolean;
  prepend_if_not_found?: boolean;
  search_only?: boolean;
  show_changes?: boolean;
  ignore_if_missing?: boolean;
  create_if_missing?: boolean;
  count?: number;
  uncomment?: string | null;
  key_ignore_case?: boolean;
  value_ignore_case?: boolean;
}

const scalar = { type: ['string', 'number', 'boolean'] };

const schema = objectSchema({
  key: { type: ['string', 'number'] },
  value: scalar,
  key_values: { type: 'object', additionalProperties: scalar },
  separator: { type: 'string', minLength: 1 },
  append_if_not_found: bool,
  prepend_if_not_found: bool,
  search_only: bool,
  show_changes: bool,
  ignore_if_missing: bool,
  create_if_missing: bool,
  count: { type: 'integer', minimum: -1 },
  uncomment: { type: ['string', 'null'] },
  key_ignore_case: bool,
  value_ignore_case: bool,
});

/** YAML booleans print as Python's str() would (Salt writes True/False). */
const str2 = (v: Scalar): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

export function wantedPairs(args: KeyvalueArgs): Array<[string, string]> {
  const hasPair = args.key !== undefined || args.value !== undefined;
  if (args.key_values && hasPair) throw new StateError(args.name, 'give either key/value or key_values, not both');
  if (args.key_values) {
    const pairs = Object.entries(args.key_values).map(([k, v]): [string, string] => [k, str2(v)]);
    if (!pairs.length) throw new StateError(args.name, 'key_values is empty');
    return pairs;
  }
  if (args.key === undefined || args.value === undefined)
    throw new StateError(args.name, 'key and value (or key_values) are required');
  return [[String(args.key), str2(args.value)]];
}

/** The text after the edit (pure). */
export function keyvalueEdit(args: KeyvalueArgs, text: string): string {
  const sep = args.separator ?? '=';
  const count = args.count ?? 1;
  const pairs = wantedPairs(args);
  const norm = (s: string, ic?: boolean) => (ic ? s.toLowerCase() : s);
  const seen = new Map<string, number>(pairs.map(([k]) => [k, 0]));
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let changed = false;
  const out = lines.map((line) => {
    let t = line.trimStart();
    let commented = false;
    if (args.uncomment && t.startsWith(args.uncomment)) {
      while (t.startsWith(args.uncomment)) t = t.slice(args.uncomment.length);
      t = t.trimStart();
      commented = true;
    }
    const i = t.indexOf(sep);
    if (i < 0) return line;
    const k = t.slice(0, i).trim();
    const v = t.slice(i + sep.length).trim();
    const pair = pairs.find(([key]) => norm(key, args.key_ignore_case) === norm(k, args.key_ignore_case));
    if (!pair) return line;
    const n = seen.get(pair[0])! + 1;
    seen.set(pair[0], n);
    if (count >= 0 && n > count) return line;
    if (!commented && norm(v, args.value_ignore_case) === norm(pair[1], args.value_ignore_case)) return line;
    changed = true;
    return `${pair[0]}${sep}${pair[1]}`;
  });
  const missing = pairs.filter(([k]) => seen.get(k) === 0).map(([k, v]) => `${k}${sep}${v}`);
  if (missing.length && args.prepend_if_not_found) out.unshift(...missing);
  else if (missing.length && args.append_if_not_found) out.push(...missing);
  else if (!changed) return text;
  return joinEdited(out, lines, text);
}

export const keyvalue: StateFunction<KeyvalueArgs, TextFileFacts, ContentChange> = {
  schema,
  ...textFileGather,
  plan(args, facts, ctx) {
    wantedPairs(args);
    if (args.search_only) return [];
    return planEdit(args.name, facts, (t) => keyvalueEdit(args, t), {
      create: args.create_if_missing,
      ignoreMissing: args.ignore_if_missing,
      createHint: 'create_if_missing: True',
      show: args.show_changes,
      view: ctx?.content,
      pendingRequisite: ctx?.pendingRequisite,
    });
  },
  wave: textWave,
  async apply(host, changes, ctx) {
    await applyEdit(host, changes, ctx.facts);
  },
};
