// file.rename: move source to name. Done when source is gone and name exists; force replaces an
// existing name.

import { dirname } from 'node:path';
import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { StateFunction } from '../../engine/contract.js';
import { bool, ensureParent, objectSchema, requireParent } from './common.js';
import { probePaths, type PathFacts } from './probe.js';
import type { FileItselfChange } from './changes.js';

export interface RenameArgs {
  name: string;
  source: string;
  force?: boolean;
  makedirs?: boolean;
}

export interface RenameFacts {
  path: PathFacts;
  parent: PathFacts;
  source: PathFacts;
}

export const rename: StateFunction<RenameArgs, RenameFacts, FileItselfChange> = {
  schema: objectSchema({ source: { type: 'string', pattern: '^/' }, force: bool, makedirs: bool }, ['name', 'source']),
  async gather(host, args) {
    const m = await probePaths(host, [args.name, dirname(args.name), args.source]);
    return { path: m.get(args.name)!, parent: m.get(dirname(args.name))!, source: m.get(args.source)! };
  },
  plan(args, facts, ctx) {
    if (facts.source.type === 'missing') {
      if (facts.path.type !== 'missing') return [];
      throw new MissingFactError('path', args.source, args.name, `source ${args.source} does not exist`);
    }
    if (facts.path.type !== 'missing' && !args.force)
      throw new StateError(
        args.name,
        `${args.name} exists and source ${args.source} too; set force: True to replace it`,
      );
    requireParent(args.name, facts.parent, args.makedirs, ctx?.pendingRequisite);
    return [{ op: 'update', kind: 'file', target: args.name, before: args.source, after: args.name }];
  },
  async apply(host, _changes, ctx) {
    const { args, facts } = ctx;
    if (facts.parent.type === 'missing') await ensureParent(host, args.name);
    if (facts.path.type === 'directory') await host.remove(args.name, { recursive: true });
    await host.rename(args.source, args.name);
  },
};
