// pkg.removed (apt-get remove: configuration files stay) and pkg.purged (apt-get purge: nothing stays).
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { PkgChange } from './changes.js';
import { aptGet } from './apt.js';
import { type PkgFacts, readPackages } from './facts.js';
import { alongsideChanges, batchedGather } from './installed.js';
import { simulateApt } from './apt-batch.js';
import { nameUnlessPkgs, type PkgsArg, pkgsSchema, versionMatches, wantedPackages } from './wanted.js';

export interface RemovedArgs {
  name: string;
  pkgs?: PkgsArg;
  /** Only remove when this version (or glob) is installed. */
  version?: string | number;
  lock_timeout?: number;
  [k: string]: unknown;
}

const schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    pkgs: pkgsSchema,
    version: { type: ['string', 'number'] },
    lock_timeout: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
  ...nameUnlessPkgs,
};

/** Packages still present: installed (removed), or with anything left on disk (purged). */
export function planRemove(args: RemovedArgs, facts: PkgFacts, purge: boolean) {
  return wantedPackages(args).flatMap((w) => {
    const s = facts.pkgs[w.name];
    if (!s) return [];
    const present = purge ? s.status !== 'not-installed' && s.status !== 'unknown' : s.installed !== null;
    if (!present) return [];
    if (w.version && s.installed && !versionMatches(s.installed, w.version)) return [];
    return [
      {
        op: 'delete' as const,
        kind: 'package' as const,
        target: w.name,
        before: s.installed ?? s.status,
        ...(purge ? { after: 'purged' } : {}),
      },
    ];
  });
}

/** The removal plus what apt removes with it (packages that depend on the removed ones). */
function planWithAlongside(args: RemovedArgs, facts: PkgFacts, purge: boolean): PkgChange[] {
  return [
    ...planRemove(args, facts, purge),
    ...alongsideChanges(
      facts,
      wantedPackages(args).map((w) => w.name),
    ),
  ];
}

async function withAlongside(host: Host, args: RemovedArgs, facts: PkgFacts, purge: boolean): Promise<PkgFacts> {
  const names = planRemove(args, facts, purge).map((c) => c.target);
  return names.length
    ? { ...facts, alongside: await simulateApt(host, [purge ? 'purge' : 'remove', ...names]) }
    : facts;
}

function make(purge: boolean): StateFunction<RemovedArgs, PkgFacts, PkgChange> {
  return {
    schema,
    lock: 'dpkg',
    gather: async (host, args) =>
      withAlongside(
        host,
        args,
        await readPackages(
          host,
          wantedPackages(args).map((w) => w.name),
          { policy: false },
        ),
        purge,
      ),
    gatherMany: batchedGather(false, (host, args: RemovedArgs, facts) => withAlongside(host, args, facts, purge)),
    plan: (args, facts) => planWithAlongside(args, facts, purge),
    async apply(host, changes, ctx) {
      const names = changes.filter((c) => c.kind === 'package').map((c) => c.target);
      await aptGet(host, ctx.name, [purge ? 'purge' : 'remove', ...names], { lockTimeout: ctx.args.lock_timeout });
      return { comment: `${purge ? 'purged' : 'removed'} ${names.join(', ')}` };
    },
  };
}

export const removed = make(false);
export const purged = make(true);
