// The plan/apply shared by line, blockreplace and keyvalue: a new text for an existing (or, with
// create, a missing) file, plus the file's user/group/mode; written atomically (mode and owner
// kept unless asked otherwise).

import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { ContentView } from '../../engine/contract.js';
import { applyAttrs, attrChanges, plannedAttrs, type Attrs } from './attrs.js';
import type { ContentChange } from './changes.js';
import { requireParent } from './common.js';
import { textChange, type TextFileFacts } from './text.js';

/** The edited lines as file text; the original text when no line changed (keeps its exact bytes). */
export function joinEdited(next: string[], lines: string[], text: string): string {
  if (next.length === lines.length && next.every((l, i) => l === lines[i])) return text;
  return next.length ? next.join('\n') + '\n' : '';
}

export interface EditOpts {
  /** A missing file is created (empty before the edit). */
  create?: boolean;
  /** A missing file is not an error: nothing to do. */
  ignoreMissing?: boolean;
  /** How to create a missing file, for the error (e.g. 'create: True'). */
  createHint?: string;
  show?: boolean;
  /** The run's secrets and diff budget (ctx.content). */
  view?: ContentView;
  attrs?: Attrs;
  pendingRequisite?: string;
}

/** Changes that turn facts into `edit(text)`; edit may throw StateError for impossible args. */
export function planEdit(
  name: string,
  facts: TextFileFacts,
  edit: (text: string) => string,
  o: EditOpts = {},
): ContentChange[] {
  if (!facts.exists) {
    if (!o.create) {
      if (o.ignoreMissing) return [];
      throw new MissingFactError(
        'path',
        name,
        name,
        `file not found${o.createHint ? ` (set ${o.createHint} to create it)` : ''}`,
      );
    }
    requireParent(facts.real, facts.parent, false, o.pendingRequisite);
    return textChange(name, facts, edit(''), { show: o.show !== false, view: o.view });
  }
  const out: ContentChange[] = textChange(name, facts, edit(facts.text), { show: o.show !== false, view: o.view });
  if (o.attrs) out.push(...attrChanges(facts.real, facts.path, o.attrs));
  return out;
}

export async function applyEdit(
  host: Host,
  changes: ContentChange[],
  facts: TextFileFacts,
  attrs: Attrs = {},
): Promise<void> {
  const c = changes.find((x) => x.kind === 'file');
  if (c?.op === 'create') {
    await host.writeFileAtomic(facts.real, String(c.payload), {
      mode: attrs.mode ?? 0o644,
      owner: attrs.user,
      group: attrs.group,
    });
  } else if (c) {
    await host.writeFileAtomic(facts.real, String(c.payload));
  }
  const want = plannedAttrs(changes, attrs);
  if (Object.keys(want).length) await applyAttrs(host, facts.real, want);
}
