// file.line: one line of a file ensured, replaced, inserted or deleted (Salt's file.line), found
// by `match`, `before` and `after`: each a Python regex or a literal fragment of the line.
//
// Unlike Salt, every mode is idempotent: insert does not add the line again when it is already
// where it would go, replace/delete act on every matching line, and the result always ends with a
// newline. ensure also takes `location` (start/end) when neither before nor after is given.

import { StateError } from '../../engine/errors.js';
import type { StateFunction } from '../../engine/contract.js';
import { attrsOf, bool, objectSchema, ownerSchema } from './common.js';
import { backup } from './managed.js';
import { modeSchema } from './mode.js';
import { compile } from './pyregex.js';
import { textFileGather, textWave, type TextFileFacts } from './text.js';
import { applyEdit, joinEdited, planEdit } from './textedit.js';
import type { ContentChange } from './changes.js';

export interface LineArgs {
  name: string;
  content?: string | number | null;
  match?: string | null;
  mode: 'ensure' | 'replace' | 'insert' | 'delete';
  location?: 'start' | 'end' | null;
  before?: string | null;
  after?: string | null;
  show_changes?: boolean;
  backup?: boolean | string;
  quiet?: boolean;
  indent?: boolean;
  create?: boolean;
  user?: string | number;
  group?: string | number;
  file_mode?: string | number;
}

const nstr = { type: ['string', 'null'] };

const schema = objectSchema(
  {
    content: { type: ['string', 'number', 'null'] },
    match: nstr,
    mode: { enum: ['ensure', 'replace', 'insert', 'delete', 'Ensure', 'Replace', 'Insert', 'Delete'] },
    location: { enum: ['start', 'end', null] },
    before: nstr,
    after: nstr,
    show_changes: bool,
    backup: { anyOf: [{ type: 'string' }, { type: 'boolean' }] },
    quiet: bool,
    indent: bool,
    create: bool,
    user: ownerSchema,
    group: ownerSchema,
    file_mode: modeSchema,
  },
  ['name', 'mode'],
);

/** Indices of the lines a Python regex searches or that contain it literally (Salt's _regex_to_static). */
function find(lines: string[], pattern: string, where: string, literalFallback = false): number[] {
  let re: RegExp | null = null;
  try {
    re = compile(pattern, ['DOTALL'], where, false);
  } catch (e) {
    if (!literalFallback) throw e;
  }
  const out: number[] = [];
  lines.forEach((l, i) => {
    if ((re && re.test(l)) || l.includes(pattern)) out.push(i);
  });
  return out;
}

function one(idx: number[], what: string, name: string): number {
  if (idx.length !== 1)
    throw new StateError(
      name,
      `found ${idx.length > 1 ? 'more' : 'less'} than one line matching "${what}" (${idx.length})`,
    );
  return idx[0]!;
}

const leading = (l: string): string => /^[ \t]*/.exec(l)![0];
const same = (a: string | undefined, b: string): boolean => a !== undefined && a.trim() === b.trim();

/** The text after the edit (pure). */
export function lineEdit(args: LineArgs, text: string): string {
  const name = args.name;
  const mode = String(args.mode).toLowerCase();
  const content = args.content === undefined || args.content === null ? null : String(args.content);
  if (mode !== 'delete' && content === null) throw new StateError(name, `content is required with mode: ${mode}`);
  if (content !== null && content.includes('\n')) throw new StateError(name, 'content must be a single line');
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const before = args.before ?? null;
  const after = args.after ?? null;
  let match = args.match ?? null;
  const fromContent = !match && before === null && after === null;
  if (fromContent) match = content;
  // Salt's _set_line_indent: the new line takes the indentation of the line it goes next to
  const put = (ref: string | undefined) =>
    args.indent !== false && ref !== undefined ? leading(ref) + content!.replace(/^[ \t]+/, '') : content!;
  const out = [...lines];

  if (mode === 'delete' || mode === 'replace') {
    if (!match) throw new StateError(name, `mode: ${mode} needs match (or content)`);
    const idx = new Set(find(lines, match, `${name}: match`, fromContent));
    if (mode === 'delete')
      return joinEdited(
        lines.filter((_, i) => !idx.has(i)),
        lines,
        text,
      );
    return joinEdited(
      lines.map((l, i) => (idx.has(i) ? put(l) : l)),
      lines,
      text,
    );
  }

  const findOne = (p: string, what: string) =>
    one(find(lines, p, `${name}: ${what}`), what === 'before' ? `before: ${p}` : `after: ${p}`, name);
  const location = args.location ?? null;
  if (mode === 'insert' && location) {
    if (location === 'start') {
      if (!same(lines[0], content!)) out.unshift(content!);
    } else if (!same(lines[lines.length - 1], content!)) out.push(put(lines[lines.length - 1]));
    return joinEdited(out, lines, text);
  }
  if (mode === 'insert' || mode === 'ensure') {
    if (
      mode === 'ensure' &&
      lines.some((l) => same(l, content!) || (before !== null && after !== null && l.includes(content!)))
    )
      return text;
    if (before !== null && after !== null) {
      const a = findOne(after, 'after');
      const b = findOne(before, 'before');
      if (b <= a) throw new StateError(name, `the line matching "before" comes before the one matching "after"`);
      if (mode === 'ensure' && b !== a + 1)
        throw new StateError(name, 'found more than one line between boundaries "before" and "after"');
      if (lines.slice(a + 1, b).some((l) => same(l, content!))) return text;
      out.splice(b, 0, put(lines[b]));
      return joinEdited(out, lines, text);
    }
    if (before !== null) {
      const b = findOne(before, 'before');
      if (!same(lines[b - 1], content!)) out.splice(b, 0, put(lines[b]));
      return joinEdited(out, lines, text);
    }
    if (after !== null) {
      const a = findOne(after, 'after');
      if (!same(lines[a + 1], content!)) out.splice(a + 1, 0, put(lines[a]));
      return joinEdited(out, lines, text);
    }
    if (mode === 'ensure' && location === 'start') return joinEdited([content!, ...lines], lines, text);
    if (mode === 'ensure' && location === 'end')
      return joinEdited([...lines, put(lines[lines.length - 1])], lines, text);
    throw new StateError(
      name,
      mode === 'insert'
        ? 'mode: insert needs location, before or after'
        : 'mode: ensure needs before, after or location (where to put the line)',
    );
  }
  throw new StateError(name, `unknown mode '${String(args.mode)}'`);
}

export const line: StateFunction<LineArgs, TextFileFacts, ContentChange> = {
  schema,
  ...textFileGather,
  plan(args, facts, ctx) {
    return planEdit(args.name, facts, (t) => lineEdit(args, t), {
      create: args.create,
      ignoreMissing: args.quiet,
      createHint: 'create: True',
      show: args.show_changes,
      view: ctx?.content,
      attrs: attrsOf(args, 'file_mode'),
      pendingRequisite: ctx?.pendingRequisite,
    });
  },
  wave: textWave,
  async apply(host, changes, ctx) {
    if (ctx.args.backup && ctx.facts.exists && changes.some((c) => c.kind === 'file'))
      await backup(host, ctx.facts.real, ctx.args.backup);
    await applyEdit(host, changes, ctx.facts, attrsOf(ctx.args, 'file_mode'));
  },
};
