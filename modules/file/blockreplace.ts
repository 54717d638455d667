// file.blockreplace: the text between two marker lines replaced by `content` (the markers stay),
// or, when the markers are missing, the whole block appended or prepended (Salt's blockreplace).
// A marker line is any line that contains the marker (Salt's `marker in line`).

import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { StateFunction } from '../../engine/contract.js';
import { backup } from './managed.js';
import { bool, objectSchema } from './common.js';
import { textFileGather, textWave, type TextFileFacts } from './text.js';
import { applyEdit, planEdit } from './textedit.js';
import type { ContentChange } from './changes.js';

export interface BlockreplaceArgs {
  name: string;
  marker_start?: string;
  marker_end?: string;
  content?: string | number | null;
  append_if_not_found?: boolean;
  prepend_if_not_found?: boolean;
  show_changes?: boolean;
  append_newline?: boolean | null;
  backup?: string | boolean;
}

const schema = objectSchema({
  marker_start: { type: 'string', minLength: 1 },
  marker_end: { type: 'string', minLength: 1 },
  content: { type: ['string', 'number', 'null'] },
  append_if_not_found: bool,
  prepend_if_not_found: bool,
  show_changes: bool,
  append_newline: { type: ['boolean', 'null'] },
  backup: { anyOf: [{ type: 'string' }, { type: 'boolean' }] },
});

const START = '#-- start managed zone --';
const END = '#-- end managed zone --';

/** The block between the markers: content plus a newline as append_newline says (Salt: None adds one when missing). */
export function blockText(args: BlockreplaceArgs): string {
  const c = args.content === undefined || args.content === null ? '' : String(args.content);
  if (args.append_newline === true) return c + '\n';
  if (args.append_newline === false || c === '' || c.endsWith('\n')) return c;
  return c + '\n';
}

/** The text after the edit (pure). */
export function blockEdit(args: BlockreplaceArgs, text: string): string {
  const ms = args.marker_start ?? START;
  const me = args.marker_end ?? END;
  const block = blockText(args);
  const lines = text.split('\n'); // a final newline leaves a last '' element
  const s = lines.findIndex((l) => l.includes(ms));
  if (s >= 0) {
    const e = lines.findIndex((l, i) => i > s && l.includes(me));
    if (e < 0)
      throw new StateError(
        args.name,
        `unterminated block: no line contains marker_end '${me}' after the marker_start line ${s + 1}`,
      );
    // a block without a final newline runs into the end marker's line, which then starts at the marker
    const end = block === '' || block.endsWith('\n') ? lines[e]! : lines[e]!.slice(lines[e]!.indexOf(me));
    return [...lines.slice(0, s + 1), block + [end, ...lines.slice(e + 1)].join('\n')].join('\n');
  }
  if (!args.append_if_not_found && !args.prepend_if_not_found)
    throw new MissingFactError(
      'path',
      args.name,
      args.name,
      `markers not found: no line contains marker_start '${ms}' (set append_if_not_found or prepend_if_not_found)`,
    );
  const whole = `${ms}\n${block}${me}\n`;
  if (args.prepend_if_not_found) return whole + text;
  return text === '' || text.endsWith('\n') ? text + whole : `${text}\n${whole}`;
}

export const blockreplace: StateFunction<BlockreplaceArgs, TextFileFacts, ContentChange> = {
  schema,
  ...textFileGather,
  plan(args, facts, ctx) {
    return planEdit(args.name, facts, (t) => blockEdit(args, t), { show: args.show_changes, view: ctx?.content });
  },
  wave: textWave,
  async apply(host, changes, ctx) {
    if (ctx.args.backup && ctx.facts.exists && changes.length) await backup(host, ctx.facts.real, ctx.args.backup);
    await applyEdit(host, changes, ctx.facts);
  },
};
