// file.absent: the path does not exist (files, symlinks, directory trees).

import type { StateFunction } from '../../engine/contract.js';
import { objectSchema } from './common.js';
import { probePaths, type PathFacts } from './probe.js';
import type { FileItselfChange } from './changes.js';

export interface AbsentArgs {
  name: string;
}

// A formula often switches one state between file.managed and file.absent (`file.{{ state }}`),
// so file.absent gets file.managed's arguments; Salt's file.absent takes them as **kwargs.
const FOR_A_FILE = 'file.absent removes the file (Salt ignores it too)';
const MANAGED_ARGS = [
  'source',
  'source_hash',
  'contents',
  'contents_pillar',
  'user',
  'group',
  'mode',
  'makedirs',
  'dir_mode',
  'replace',
  'backup',
  'show_changes',
  'context',
  'defaults',
  'skip_verify',
  'follow_symlinks',
  'create',
];

export const absent: StateFunction<AbsentArgs, PathFacts, FileItselfChange> = {
  schema: objectSchema({}),
  inert: {
    template: 'file.absent renders nothing (Salt ignores it too)',
    ...Object.fromEntries(MANAGED_ARGS.map((k) => [k, FOR_A_FILE])),
  },
  async gather(host, args) {
    return (await probePaths(host, [args.name])).get(args.name)!;
  },
  async gatherMany(host, items) {
    const m = await probePaths(
      host,
      items.map((i) => i.args.name),
    );
    return items.map((i) => m.get(i.args.name)!);
  },
  plan(args, facts) {
    if (args.name === '/') throw new Error('refusing to remove /');
    return facts.type === 'missing' ? [] : [{ op: 'delete', kind: 'file', target: args.name, before: facts.type }];
  },
  wave: { paths: (args) => [args.name] },
  async apply(host, _changes, ctx) {
    await host.remove(ctx.args.name, { recursive: true });
  },
};
