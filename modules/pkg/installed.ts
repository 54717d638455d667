// pkg.installed and pkg.latest: one apt-get install call per state for every package that is
// missing, at another version than pinned, or (latest) older than apt's candidate; holds after.
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, JSONSchema, StateCtx, StateFunction } from '../contract.js';
import { aptGet, aptMark } from './apt.js';
import { type PkgFacts, type PkgState, readPackages } from './facts.js';
import { simulateApt } from './uptodate.js';
import { nameUnlessPkgs, type PkgsArg, pkgsSchema, resolvePin, versionMatches, type Wanted, wantedPackages } from './wanted.js';

export interface InstalledArgs {
  name: string;
  pkgs?: PkgsArg;
  version?: string | number;
  hold?: boolean;
  refresh?: boolean;
  install_recommends?: boolean;
  fromrepo?: string;
  /** Seconds to wait for dpkg's lock before failing (default 0: fail at once with a clear message). */
  lock_timeout?: number;
  [k: string]: unknown;
}

export const UPDATE = 'apt-get update';
/** Shown as the version when it is only known after the index refresh. */
export const AFTER_UPDATE = '(candidate after apt-get update)';

const commonProps: Record<string, JSONSchema> = {
  name: { type: 'string', minLength: 1 },
  pkgs: pkgsSchema,
  refresh: { type: 'boolean' },
  install_recommends: { type: 'boolean' },
  fromrepo: { type: 'string', minLength: 1 },
  lock_timeout: { type: 'integer', minimum: 0 },
};

export const installedSchema: JSONSchema = {
  type: 'object',
  required: ['name'],
  properties: { ...commonProps, version: { type: ['string', 'number'] }, hold: { type: 'boolean' } },
  additionalProperties: false,
  ...nameUnlessPkgs,
};

const latestSchema: JSONSchema = {
  type: 'object',
  required: ['name'],
  properties: commonProps,
  additionalProperties: false,
  ...nameUnlessPkgs,
};

function unavailable(name: string, s: PkgState, pin?: string): StateError {
  if (pin && s.versions.length) {
    return new StateError(name, `version '${pin}' of package '${name}' is not available (apt knows ${s.versions.slice(0, 5).join(', ')})`);
  }
  if (!s.versions.length) {
    return new StateError(name, `package '${name}' not found: no configured repository provides it (set refresh: True if the index is stale)`);
  }
  return new StateError(name, `package '${name}' has no installation candidate (virtual, obsolete, or not in the configured repositories)`);
}

/** What to install (and hold) for args given facts; shared by installed and latest. */
export function planInstall(args: InstalledArgs, facts: PkgFacts, latest: boolean): Change[] {
  const refreshFirst = !facts.listsPresent || !!args.refresh;
  const changes: Change[] = [];
  for (const w of wantedPackages(args)) {
    const s = facts.pkgs[w.name] ?? { installed: null, status: 'unknown', held: false, candidate: null, versions: [] };
    let target: string | null;
    if (w.version) target = s.installed && versionMatches(s.installed, w.version) ? s.installed : resolvePin(s, w.version);
    else if (latest) target = s.candidate ?? s.installed;
    else target = s.installed ?? s.candidate;
    if (target === null) {
      if (!refreshFirst) throw unavailable(w.name, s, w.version);
      target = w.version ?? AFTER_UPDATE;
    }
    if (target !== s.installed) {
      changes.push({ op: s.installed ? 'update' : 'create', target: w.name, ...(s.installed ? { before: s.installed } : {}), after: target });
    }
    if (args.hold !== undefined && args.hold !== s.held) {
      changes.push({ op: 'update', target: `${w.name} (hold)`, before: s.held, after: args.hold });
    }
  }
  if (refreshFirst && changes.some((c) => !c.target.endsWith(' (hold)'))) changes.unshift({ op: 'run', target: UPDATE });
  return [...changes, ...alongsideChanges(facts, wantedPackages(args).map((w) => w.name))];
}

/** apt's simulated side effects as changes: `libfoo (dependency)`, `bar (also removed)`. */
export function alongsideChanges(facts: PkgFacts, named: string[]): Change[] {
  return (facts.alongside ?? [])
    .filter((c) => !named.includes(c.target))
    .map((c) => ({ ...c, target: `${c.target} (${c.op === 'delete' ? 'also removed' : 'dependency'})` }));
}

/** Package names to hand to apt: targets with a space are holds, side effects or the refresh. */
const isPackage = (c: Change) => c.op !== 'run' && !c.target.includes(' ');

function installArgv(args: InstalledArgs, wanted: Wanted[], changes: Change[]): string[] {
  const byName = new Map(wanted.map((w) => [w.name, w]));
  const specs: string[] = [];
  for (const c of changes) {
    if (!isPackage(c)) continue;
    const w = byName.get(c.target);
    specs.push(w?.version && c.after !== AFTER_UPDATE ? `${c.target}=${String(c.after)}` : c.target);
  }
  if (!specs.length) return [];
  const argv = ['install'];
  if (args.install_recommends === false) argv.push('--no-install-recommends');
  if (args.install_recommends === true) argv.push('--install-recommends');
  if (args.fromrepo) argv.push('-t', args.fromrepo);
  if (wanted.some((w) => w.version)) argv.push('--allow-downgrades');
  if (args.hold !== undefined) argv.push('--allow-change-held-packages');
  return [...argv, ...specs];
}

async function applyInstall(host: Host, changes: Change[], ctx: StateCtx<InstalledArgs>, latest: boolean) {
  const { args } = ctx;
  const opts = { lockTimeout: args.lock_timeout };
  if (changes.some((c) => c.op === 'run' && c.target === UPDATE)) {
    await aptGet(host, ctx.name, ['update'], opts);
    // the index changed: resolve versions against it (pins and candidates were unknown before)
    changes = planInstall({ ...args, refresh: false }, await gatherInstall(host, { ...args, refresh: false }, latest), latest);
  }
  const wanted = wantedPackages(args);
  const argv = installArgv(args, wanted, changes);
  if (argv.length) await aptGet(host, ctx.name, argv, opts);
  const holds = changes.filter((c) => c.target.endsWith(' (hold)'));
  const name = (c: Change) => c.target.slice(0, -' (hold)'.length);
  await aptMark(host, ctx.name, 'hold', holds.filter((c) => c.after === true).map(name));
  await aptMark(host, ctx.name, 'unhold', holds.filter((c) => c.after === false).map(name));
  const done = changes.filter(isPackage);
  const deps = changes.filter((c) => c.target.endsWith(' (dependency)')).length;
  if (done.length) {
    return { comment: `installed ${done.map((c) => `${c.target}=${String(c.after)}`).join(', ')}${deps ? ` (+${deps} dependencies)` : ''}` };
  }
}

/** Adds apt's simulation of the planned install (only when something is to be installed). */
async function withAlongside(host: Host, args: InstalledArgs, facts: PkgFacts, latest: boolean): Promise<PkgFacts> {
  let changes: Change[];
  try {
    changes = planInstall(args, facts, latest);
  } catch {
    return facts; // the plan reports the problem
  }
  if (changes.some((c) => c.op === 'run')) return facts; // versions are only known after the refresh
  const argv = installArgv(args, wantedPackages(args), changes);
  return argv.length ? { ...facts, alongside: await simulateApt(host, argv) } : facts;
}

async function gatherInstall(host: Host, args: InstalledArgs, latest: boolean): Promise<PkgFacts> {
  const facts = await readPackages(host, wantedPackages(args).map((w) => w.name), { policy: true });
  return withAlongside(host, args, facts, latest);
}

/** One read for all states of a function, split back per state. */
export function batchedGather<A extends { name: string; pkgs?: PkgsArg }>(
  policy: boolean,
  complete: (host: Host, args: A, facts: PkgFacts) => Promise<PkgFacts>,
) {
  return async (host: Host, items: Array<{ args: A }>): Promise<PkgFacts[]> => {
    const lists = items.map((i) => wantedPackages(i.args).map((w) => w.name));
    const all = await readPackages(host, lists.flat(), { policy });
    return Promise.all(
      lists.map((names, i) =>
        complete(host, items[i]!.args, { listsPresent: all.listsPresent, pkgs: Object.fromEntries(names.map((n) => [n, all.pkgs[n]!])) }),
      ),
    );
  };
}

export const installed: StateFunction<InstalledArgs, PkgFacts> = {
  schema: installedSchema,
  lock: 'dpkg',
  gather: (host, args) => gatherInstall(host, args, false),
  gatherMany: batchedGather(true, (host, args: InstalledArgs, facts) => withAlongside(host, args, facts, false)),
  plan: (args, facts) => planInstall(args, facts, false),
  apply: (host, changes, ctx) => applyInstall(host, changes, ctx, false),
};

export const latest: StateFunction<InstalledArgs, PkgFacts> = {
  schema: latestSchema,
  lock: 'dpkg',
  gather: (host, args) => gatherInstall(host, args, true),
  gatherMany: batchedGather(true, (host, args: InstalledArgs, facts) => withAlongside(host, args, facts, true)),
  plan: (args, facts) => planInstall(args, facts, true),
  apply: (host, changes, ctx) => applyInstall(host, changes, ctx, true),
};
