// file.copy: copy a file that is already on the host (source) to name; force overwrites a
// different file; preserve keeps the source's mode/owner/times.

import { dirname } from 'node:path';
import { StateError } from '../../engine/errors.js';
import { tempPath } from '../../engine/host/temp-name.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { StateFunction } from '../../engine/contract.js';
import { applyAttrs, attrChanges, onPaths, plannedAttrs } from './attrs.js';
import type { ContentChange } from './changes.js';
import { attrProps, attrsOf, bool, ensureParent, objectSchema, requireParent, type AttrArgs } from './common.js';
import { probePaths, type PathFacts } from './probe.js';

export interface CopyArgs extends AttrArgs {
  source: string;
  force?: boolean;
  preserve?: boolean;
  makedirs?: boolean;
}

export interface CopyFacts {
  path: PathFacts;
  parent: PathFacts;
  source: PathFacts;
}

const schema = objectSchema(
  { source: { type: 'string', pattern: '^/' }, force: bool, preserve: bool, makedirs: bool, ...attrProps },
  ['name', 'source'],
);

export const copy: StateFunction<CopyArgs, CopyFacts, ContentChange> = {
  schema,
  inert: { replace: "Salt's file.copy has no such argument and ignores it (force replaces an existing file)" },
  async gather(host, args) {
    const m = await probePaths(host, [args.name, dirname(args.name), args.source]);
    return { path: m.get(args.name)!, parent: m.get(dirname(args.name))!, source: m.get(args.source)! };
  },
  async gatherMany(host, items) {
    const m = await probePaths(
      host,
      items.flatMap((i) => [i.args.name, dirname(i.args.name), i.args.source]),
    );
    return items.map((i) => ({
      path: m.get(i.args.name)!,
      parent: m.get(dirname(i.args.name))!,
      source: m.get(i.args.source)!,
    }));
  },
  plan(args, facts, ctx) {
    if (facts.source.type === 'missing')
      throw new MissingFactError('path', args.source, args.name, `source ${args.source} does not exist`);
    if (facts.source.type !== 'file') throw new StateError(args.name, `source ${args.source} is not a regular file`);
    const attrs = args.preserve ? { mode: undefined, user: undefined, group: undefined } : attrsOf(args);
    if (facts.path.type === 'missing') {
      requireParent(args.name, facts.parent, args.makedirs, ctx?.pendingRequisite);
      return [{ op: 'create', kind: 'file', target: args.name, before: null, after: `copy of ${args.source}` }];
    }
    if (facts.path.type !== 'file') throw new StateError(args.name, `exists as a ${facts.path.type}`);
    const out: ContentChange[] = [];
    if (args.force && facts.path.hash !== facts.source.hash)
      out.push({ op: 'update', kind: 'file', target: args.name, before: facts.path.hash, after: facts.source.hash });
    return [...out, ...attrChanges(args.name, facts.path, attrs)];
  },
  async apply(host, changes, ctx) {
    const { args, facts } = ctx;
    const attrs = args.preserve ? {} : attrsOf(args);
    if (changes.some((c) => c.kind === 'file')) {
      if (facts.path.type === 'missing') await ensureParent(host, args.name);
      const tmp = tempPath(args.name, `cp-${process.pid}-${Date.now()}`);
      await onPaths(
        host,
        ['cp', ...(args.preserve ? ['-p'] : []), '--'],
        args.source,
        tmp,
        `cp ${args.source} ${args.name}`,
      );
      await applyAttrs(host, tmp, attrs);
      await host.rename(tmp, args.name);
      return;
    }
    await applyAttrs(host, args.name, plannedAttrs(changes, attrs));
  },
};
