// file.replace: regex search and replace in a file (Python syntax translated), with
// append_if_not_found / prepend_if_not_found / not_found_content.

import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { StateFunction } from '../../engine/contract.js';
import { backup } from './managed.js';
import { bool, objectSchema, str } from './common.js';
import { compile, pyRepl } from './pyregex.js';
import { textChange, textGather, textWave, writeText, type TextFacts } from './text.js';
import type { FileItselfChange } from './changes.js';

export interface ReplaceArgs {
  name: string;
  pattern: string;
  repl: string;
  count?: number;
  flags?: number | string | string[];
  append_if_not_found?: boolean;
  prepend_if_not_found?: boolean;
  not_found_content?: string;
  show_changes?: boolean;
  backup?: string | boolean;
  ignore_if_missing?: boolean;
}

const schema = objectSchema(
  {
    pattern: str,
    repl: { type: ['string', 'number'] },
    count: { type: 'integer', minimum: 0 },
    flags: { anyOf: [{ type: 'integer' }, { type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    append_if_not_found: bool,
    prepend_if_not_found: bool,
    not_found_content: str,
    show_changes: bool,
    backup: { anyOf: [{ type: 'string' }, { type: 'boolean' }] },
    ignore_if_missing: bool,
  },
  ['name', 'pattern', 'repl'],
);

export function replaceText(args: ReplaceArgs, text: string): string {
  const where = `${args.name}: pattern`;
  const count = args.count ?? 0;
  const re = compile(args.pattern, args.flags, where, true);
  const repl = pyRepl(String(args.repl));
  let n = 0;
  let matched = false;
  const out = text.replace(re, (...m) => {
    matched = true;
    if (count && n >= count) return m[0] as string;
    n++;
    // expand the replacement for this one match
    const one = compile(args.pattern, args.flags, where, false);
    return (m[0] as string).replace(one, repl);
  });
  if (matched || (!args.append_if_not_found && !args.prepend_if_not_found)) return out;
  const content = args.not_found_content ?? String(args.repl);
  if (text.split('\n').includes(content) || text.includes(content + '\n') || text.endsWith(content)) return text;
  if (args.prepend_if_not_found) return `${content}\n${text}`;
  return text === '' || text.endsWith('\n') ? `${text}${content}\n` : `${text}\n${content}\n`;
}

export const replace: StateFunction<ReplaceArgs, TextFacts, FileItselfChange> = {
  schema,
  ...textGather,
  wave: textWave,
  plan(args, facts, ctx) {
    if (!facts.exists) {
      if (args.ignore_if_missing) return [];
      throw new MissingFactError('path', args.name, args.name, 'file does not exist');
    }
    return textChange(args.name, facts, replaceText(args, facts.text), {
      show: args.show_changes !== false,
      view: ctx?.content,
    });
  },
  async apply(host, changes, ctx) {
    if (ctx.args.backup) await backup(host, ctx.args.name, ctx.args.backup);
    await writeText(host, ctx.args.name, changes);
  },
};
