// file.touch: the file exists (created empty when missing). An existing file is left alone, so a
// second run reports no change (Salt bumps the mtime every run; brine keeps runs idempotent).

import type { StateFunction } from '../../engine/contract.js';
import {
  bool,
  ensureParent,
  gatherPathsWithParents,
  objectSchema,
  requireParent,
  type PathAndParent,
} from './common.js';
import type { FileItselfChange } from './changes.js';

export interface TouchArgs {
  name: string;
  makedirs?: boolean;
}

export const touch: StateFunction<TouchArgs, PathAndParent, FileItselfChange> = {
  schema: objectSchema({ makedirs: bool }),
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
    if (facts.path.type !== 'missing') return [];
    requireParent(args.name, facts.parent, args.makedirs, ctx?.pendingRequisite);
    return [{ op: 'create', kind: 'file', target: args.name }];
  },
  async apply(host, _changes, ctx) {
    await ensureParent(host, ctx.args.name);
    await host.writeFileAtomic(ctx.args.name, '', { mode: 0o644 });
  },
};
