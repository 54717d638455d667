// file.append: lines (or text blocks) appended only where the file does not contain them yet.

import type { StateFunction } from '../../engine/contract.js';
import { bool, ensureParent, objectSchema, strOrList } from './common.js';
import { textChange, textGather, textWave, writeText, type TextFacts } from './text.js';
import type { FileItselfChange } from './changes.js';

export interface AppendArgs {
  name: string;
  text: string | string[];
  makedirs?: boolean;
}

export function appendText(text: string, want: string | string[]): string {
  const blocks = (Array.isArray(want) ? want : [want]).map((b) => String(b).replace(/\n$/, ''));
  let out = text;
  for (const b of blocks) {
    const lines = out.split('\n');
    const present = b.includes('\n') ? out.includes(b) : lines.includes(b);
    if (present) continue;
    if (out !== '' && !out.endsWith('\n')) out += '\n';
    out += b + '\n';
  }
  return out;
}

export const append: StateFunction<AppendArgs, TextFacts, FileItselfChange> = {
  schema: objectSchema({ text: strOrList, makedirs: bool }, ['name', 'text']),
  ...textGather,
  wave: textWave,
  plan(args, facts, ctx) {
    return textChange(args.name, facts, appendText(facts.text, args.text), { view: ctx?.content });
  },
  async apply(host, changes, ctx) {
    if (!ctx.facts.exists && ctx.args.makedirs) await ensureParent(host, ctx.args.name);
    await writeText(host, ctx.args.name, changes);
  },
};
