// file.symlink: name -> target; force replaces a file/directory in the way; makedirs; owner.

import { StateError } from '../../engine/errors.js';
import { tempPath } from '../../engine/host/temp-name.js';
import type { StateFunction } from '../../engine/contract.js';
import { attrChanges, onPath } from './attrs.js';
import {
  attrsOf,
  bool,
  ensureParent,
  gatherPathsWithParents,
  objectSchema,
  requireParent,
  type AttrArgs,
} from './common.js';
import type { PathFacts } from './probe.js';
import type { ContentChange } from './changes.js';

export interface SymlinkArgs extends AttrArgs {
  target: string;
  force?: boolean;
  makedirs?: boolean;
}

export interface SymlinkFacts {
  path: PathFacts;
  parent: PathFacts;
}

const schema = objectSchema(
  { target: { type: 'string', minLength: 1 }, force: bool, makedirs: bool, user: {}, group: {} },
  ['name', 'target'],
);

export const symlink: StateFunction<SymlinkArgs, SymlinkFacts, ContentChange> = {
  schema,
  async gather(host, args) {
    return (await gatherPathsWithParents(host, [args.name]))[0]!;
  },
  gatherMany(host, items) {
    return gatherPathsWithParents(
      host,
      items.map((i) => i.args.name),
    );
  },
  plan(args, facts, ctx) {
    const { path } = facts;
    const attrs = { ...attrsOf(args), mode: undefined };
    if (path.type === 'missing') {
      requireParent(args.name, facts.parent, args.makedirs, ctx?.pendingRequisite);
      return [{ op: 'create', kind: 'file', target: args.name, after: args.target }];
    }
    if (path.type !== 'symlink') {
      if (!args.force)
        throw new StateError(args.name, `exists as a ${path.type}; set force: True to replace it with a symlink`);
      return [{ op: 'update', kind: 'file', target: args.name, before: path.type, after: args.target }];
    }
    const out: ContentChange[] = [];
    if (path.target !== args.target)
      out.push({ op: 'update', kind: 'file', target: args.name, before: path.target, after: args.target });
    return [...out, ...attrChanges(args.name, path, attrs)];
  },
  // waves: the link (its parent made with mkdir -p when missing)
  wave: { paths: (args) => [args.name] },
  async apply(host, _changes, ctx) {
    const { args, facts } = ctx;
    if (facts.path.type === 'missing') await ensureParent(host, args.name, undefined, facts.parent);
    if (facts.path.type === 'directory') await host.remove(args.name, { recursive: true });
    // a temp link renamed over the old path: the switch is atomic
    const tmp = tempPath(args.name, `ln-${process.pid}-${Date.now()}`);
    await onPath(host, ['ln', '-s', '--', args.target], tmp, `ln -s ${args.target} ${args.name}`);
    await host.rename(tmp, args.name);
    const { user, group } = attrsOf(args);
    if (user !== undefined || group !== undefined) {
      const spec = `${user ?? ''}${group !== undefined ? ':' + group : ''}`;
      await onPath(host, ['chown', '-h', spec, '--'], args.name, `chown -h ${spec} ${args.name}`);
    }
  },
};
