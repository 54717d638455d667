// Shared by the functions that edit a file's text in place (replace, append): facts are the
// current contents; apply writes the new contents atomically, keeping mode and owner.

import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import { contentDiff } from './content.js';
import type { Change } from '../contract.js';

export interface TextFacts {
  exists: boolean;
  text: string;
}

export async function gatherText(host: Host, name: string): Promise<TextFacts> {
  const st = await host.lstat(name);
  if (st && st.type === 'directory') throw new StateError(name, 'is a directory');
  const b = await host.readFile(name);
  return { exists: b !== null, text: b ? b.toString('utf8') : '' };
}

export function textChange(name: string, facts: TextFacts, next: string, show = true): Change[] {
  if (facts.exists && next === facts.text) return [];
  return [{ op: facts.exists ? 'update' : 'create', target: name, after: next, diff: contentDiff(name, facts.exists ? Buffer.from(facts.text) : null, Buffer.from(next), show) }];
}

export async function writeText(host: Host, name: string, changes: Change[]): Promise<void> {
  const c = changes.find((x) => x.target === name);
  if (c) await host.writeFileAtomic(name, String(c.after));
}
