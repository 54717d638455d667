// pkg.installed and pkg.latest: one apt-get install call for every package that is missing, at
// another version than pinned, or (latest) older than apt's candidate; holds after. Aggregation is
// on by default (the issue asks for one apt call per run "where possible"): the runner joins the
// pending states of a function that nothing orders (no requisites, no onlyif/unless/creates) and
// that share apt options (aggKey) into ONE apt-get install; each still reports its own packages, so
// watch/onchanges on it fire. `aggregate: False` on a state keeps it to its own apt call.
import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { JSONSchema, StateCtx, StateFunction } from '../../engine/contract.js';
import type { AlongsideChange, PkgChange } from './changes.js';
import { aptGet, aptMark } from './apt.js';
import { type PkgFacts, type PkgState, readPackages } from './facts.js';
import { installedInStatus } from './parse.js';
import { simulateAhead, simulateApt } from './apt-batch.js';
import { applySources, type DebFile, gatherSources, planSources, type SourcesArg, sourcesSchema } from './sources.js';
import {
  nameUnlessPkgs,
  PKG_NAME,
  type PkgsArg,
  pkgsSchema,
  resolvePin,
  versionMatches,
  wantedPackages,
} from './wanted.js';

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
  /** Salt: held packages may be upgraded (apt's --allow-change-held-packages). */
  update_holds?: boolean;
  /** Salt: no signature check (apt's --allow-unauthenticated). */
  skip_verify?: boolean;
  /** .deb files on the target: [{package: /path/x.deb}] (see sources.ts). */
  sources?: SourcesArg;
  [k: string]: unknown;
}

const PKG_NAME_RE = new RegExp(PKG_NAME);
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
  update_holds: { type: 'boolean' },
  skip_verify: { type: 'boolean' },
};

export const installedSchema: JSONSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    ...commonProps,
    version: { type: ['string', 'number'] },
    hold: { type: 'boolean' },
    sources: sourcesSchema,
  },
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
    return new StateError(
      name,
      `version '${pin}' of package '${name}' is not available (apt knows ${s.versions.slice(0, 5).join(', ')})`,
    );
  }
  if (!s.versions.length) {
    return new MissingFactError(
      'apt-package',
      name,
      name,
      `package '${name}' not found in apt's lists: no configured repository provides it ` +
        '(set refresh: True if the index is stale)',
    );
  }
  return new StateError(
    name,
    `package '${name}' has no installation candidate (virtual, obsolete, or not in the configured repositories)`,
  );
}

/** What to install (and hold) for args given facts; shared by installed and latest. */
export function planInstall(args: InstalledArgs, facts: PkgFacts, latest: boolean): PkgChange[] {
  const refreshFirst = !facts.listsPresent || !!args.refresh;
  const changes: PkgChange[] = [];
  for (const w of wantedPackages(args)) {
    const s = facts.pkgs[w.name] ?? { installed: null, status: 'unknown', held: false, candidate: null, versions: [] };
    // no Debian package has this name (Salt fails it at run time too); apt must not read it as a pattern
    if (!PKG_NAME_RE.test(w.name)) throw unavailable(w.name, s);
    let target: string | null;
    if (w.version === 'latest') target = s.candidate ?? s.installed;
    else if (w.version)
      target = s.installed && versionMatches(s.installed, w.version) ? s.installed : resolvePin(s, w.version);
    else if (latest) target = s.candidate ?? s.installed;
    else target = s.installed ?? s.candidate;
    if (target === null) {
      if (!refreshFirst) throw unavailable(w.name, s, w.version);
      target = w.version && w.version !== 'latest' ? w.version : AFTER_UPDATE;
    }
    if (target !== s.installed) {
      changes.push({
        op: s.installed ? 'update' : 'create',
        kind: 'package',
        target: w.name,
        ...(s.installed ? { before: s.installed } : {}),
        after: target,
      });
    }
    if (args.hold !== undefined && args.hold !== s.held) {
      changes.push({
        op: 'update',
        kind: 'hold',
        target: `${w.name} (hold)`,
        pkg: w.name,
        before: s.held,
        after: args.hold,
      });
    }
  }
  if (refreshFirst && changes.some((c) => c.kind !== 'hold'))
    changes.unshift({ op: 'run', kind: 'refresh', target: UPDATE });
  return [
    ...changes,
    // a named package that is already as wanted but that apt upgrades along with the others is
    // still a change apt makes: only the packages this plan installs itself are left out
    ...alongsideChanges(
      facts,
      changes.filter((c) => c.kind === 'package').map((c) => c.target),
    ),
  ];
}

/** apt's simulated side effects as changes: `libfoo (dependency)`, `bar (also removed)`. */
export function alongsideChanges(facts: PkgFacts, named: string[]): AlongsideChange[] {
  return (facts.alongside ?? [])
    .filter((c) => !named.includes(c.target))
    .map((c) => ({
      op: c.op,
      kind: c.op === 'delete' ? 'also-removed' : 'dependency',
      target: `${c.target} (${c.op === 'delete' ? 'also removed' : 'dependency'})`,
      ...(c.before !== undefined ? { before: String(c.before) } : {}),
      ...(c.after !== undefined ? { after: String(c.after) } : {}),
    }));
}

/** The changes that are packages to hand to apt (not holds, side effects or the refresh). */
const isPackage = (c: PkgChange): c is Extract<PkgChange, { kind: 'package' }> => c.kind === 'package';

function installSpecs(args: InstalledArgs, changes: PkgChange[]): string[] {
  const byName = new Map(wantedPackages(args).map((w) => [w.name, w]));
  const specs: string[] = [];
  for (const c of changes) {
    if (!isPackage(c)) continue;
    const w = byName.get(c.target);
    specs.push(w?.version && c.after !== AFTER_UPDATE ? `${c.target}=${c.after}` : c.target);
  }
  return specs;
}

/** `apt-get install` for the planned changes of one or more states (aggregated: equal aggKey). */
function installArgv(items: Array<{ args: InstalledArgs; changes: PkgChange[] }>): string[] {
  const specs = items.flatMap((i) => installSpecs(i.args, i.changes));
  if (!specs.length) return [];
  const args = items[0]!.args;
  const argv = ['install'];
  if (args.install_recommends === false) argv.push('--no-install-recommends');
  if (args.install_recommends === true) argv.push('--install-recommends');
  if (args.fromrepo) argv.push('-t', args.fromrepo);
  if (items.some((i) => wantedPackages(i.args).some((w) => w.version && w.version !== 'latest')))
    argv.push('--allow-downgrades');
  if (args.hold !== undefined || args.update_holds) argv.push('--allow-change-held-packages');
  if (args.skip_verify) argv.push('--allow-unauthenticated');
  return [...argv, ...specs];
}

/**
 * Which pkg.installed (pkg.latest) states may share one apt-get call: the same apt options
 * (install_recommends, fromrepo, lock_timeout) and all or none of them managing holds.
 */
export function aggKey(args: InstalledArgs): string {
  return JSON.stringify([
    args.install_recommends ?? null,
    args.fromrepo ?? null,
    args.hold !== undefined,
    args.lock_timeout ?? 0,
    !!args.update_holds,
    !!args.skip_verify,
  ]);
}

function installedComment(changes: PkgChange[]): string | undefined {
  const done = changes.filter(isPackage);
  const deps = changes.filter((c) => c.kind === 'dependency').length;
  if (!done.length) return undefined;
  const list = done.map((c) => `${c.target}=${String(c.after)}`).join(', ');
  return `installed ${list}${deps ? ` (+${deps} dependencies)` : ''}`;
}

const holdsOf = (changes: PkgChange[], on: boolean) =>
  changes.flatMap((c) => (c.kind === 'hold' && c.after === on ? [c.pkg] : []));

async function applyInstall(host: Host, changes: PkgChange[], ctx: StateCtx<InstalledArgs>, latest: boolean) {
  const { args } = ctx;
  const opts = { lockTimeout: args.lock_timeout };
  if (changes.some((c) => c.kind === 'refresh')) {
    await aptGet(host, ctx.name, ['update'], opts);
    // the index changed: resolve versions against it (pins and candidates were unknown before)
    changes = planInstall(
      { ...args, refresh: false },
      await gatherInstall(host, { ...args, refresh: false }, latest),
      latest,
    );
  }
  const argv = installArgv([{ args, changes }]);
  if (argv.length) await aptGet(host, ctx.name, argv, opts);
  await aptMark(host, ctx.name, 'hold', holdsOf(changes, true));
  await aptMark(host, ctx.name, 'unhold', holdsOf(changes, false));
  const comment = installedComment(changes);
  if (comment) return { comment };
}

/** One apt-get install (and one apt-mark per direction) for several states' plans (equal aggKey). */
async function applyInstallMany(host: Host, items: Array<{ changes: PkgChange[]; ctx: StateCtx<InstalledArgs> }>) {
  const label = items.map((i) => i.ctx.name).join(', ');
  const opts = { lockTimeout: items[0]!.ctx.args.lock_timeout };
  const argv = installArgv(items.map((i) => ({ args: i.ctx.args, changes: i.changes })));
  if (argv.length) await aptGet(host, label, argv, opts);
  await aptMark(host, label, 'hold', [...new Set(items.flatMap((i) => holdsOf(i.changes, true)))]);
  await aptMark(host, label, 'unhold', [...new Set(items.flatMap((i) => holdsOf(i.changes, false)))]);
  return items.map((i) => {
    const comment = installedComment(i.changes);
    return comment ? { comment } : undefined;
  });
}

/** The apt-get install argv a state's plan needs, or null (nothing to install, refresh first, plan error). */
function pendingArgv(args: InstalledArgs, facts: PkgFacts, latest: boolean): string[] | null {
  let changes: PkgChange[];
  try {
    changes = planInstall(args, facts, latest);
  } catch {
    return null; // the plan reports the problem
  }
  if (changes.some((c) => c.kind === 'refresh')) return null; // versions are only known after the refresh
  const argv = installArgv([{ args, changes }]);
  return argv.length ? argv : null;
}

/** Adds apt's simulation of the planned install (only when something is to be installed). */
async function withAlongside(host: Host, args: InstalledArgs, facts: PkgFacts, latest: boolean): Promise<PkgFacts> {
  const argv = pendingArgv(args, facts, latest);
  return argv ? { ...facts, alongside: await simulateApt(host, argv) } : facts;
}

async function gatherInstall(host: Host, args: InstalledArgs, latest: boolean): Promise<PkgFacts> {
  const facts = await readPackages(
    host,
    wantedPackages(args).map((w) => w.name),
    { policy: true },
  );
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
    return Promise.all(lists.map((names, i) => complete(host, items[i]!.args, splitFacts(all, names))));
  };
}

function splitFacts(all: PkgFacts, names: string[]): PkgFacts {
  return { listsPresent: all.listsPresent, pkgs: Object.fromEntries(names.map((n) => [n, all.pkgs[n]!])) };
}

/**
 * gatherMany of pkg.installed/latest: one dpkg/apt-cache read for all states, and ONE apt resolution
 * for the pending states the runner may aggregate (same aggKey), so the dry run costs one
 * simulation and describes the one apt call the real run makes. Packages apt adds along with
 * such a group (dependencies) are listed on the group's first state in declaration order; a state
 * the runner cannot aggregate (it has requisites, `aggregate: False`) is simulated on its own.
 */
function batchedInstallGather(latest: boolean) {
  return async (host: Host, items: Array<{ args: InstalledArgs; aggregate?: boolean }>): Promise<PkgFacts[]> => {
    const lists = items.map((i) => wantedPackages(i.args).map((w) => w.name));
    let readDone = false;
    const read = readPackages(host, lists.flat(), { policy: true }).finally(() => {
      readDone = true;
    });
    const ahead = latest ? undefined : resolveAhead(host, items, lists, () => readDone);
    try {
      const all = await read;
      const facts = lists.map((names) => splitFacts(all, names));
      const alone = (i: number) =>
        withAlongside(host, items[i]!.args, facts[i]!, latest).then((f) => void (facts[i] = f));
      await Promise.all(
        pendingGroups(items, facts, latest).map(async (idx) => {
          if (idx.length === 1) return alone(idx[0]!);
          const plans = idx.map((i) => ({
            args: items[i]!.args,
            changes: planInstall(items[i]!.args, facts[i]!, latest),
          }));
          const sim = await simulateApt(host, installArgv(plans));
          if (!sim.length) return Promise.all(idx.map(alone)); // apt refused the combination: each on its own
          // what the states install themselves; the rest of apt's answer goes to the first as alongside
          const named = new Set(plans.flatMap((p) => p.changes.filter(isPackage).map((c) => c.target)));
          idx.forEach((i, n) => {
            facts[i] = { ...facts[i]!, alongside: n === 0 ? sim.filter((c) => !named.has(c.target)) : [] };
          });
        }),
      );
      return facts;
    } finally {
      (await ahead?.catch(() => undefined))?.();
    }
  };
}

/** The pending states in groups of one apt call: those the runner may aggregate (same aggKey), the rest alone. */
function pendingGroups(items: Array<{ args: InstalledArgs; aggregate?: boolean }>, facts: PkgFacts[], latest: boolean) {
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (!pendingArgv(it.args, facts[i]!, latest)) return;
    const k = it.aggregate ? `agg ${aggKey(it.args)}` : `one ${i}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  return [...groups.values()];
}

/**
 * On the local host, apt's resolution starts beside the apt-cache read instead of after it: from
 * dpkg's status file (read in-process, no command) it guesses that every package not installed is
 * to be installed at apt's candidate, which is what the plan asks apt for whenever no version is
 * pinned (a different guess costs an unused resolution, never a different answer: the plan takes
 * only a resolution of exactly its own argv). Resolves to the function that forgets the guesses.
 */
async function resolveAhead(
  host: Host,
  items: Array<{ args: InstalledArgs; aggregate?: boolean }>,
  lists: string[][],
  late: () => boolean,
): Promise<() => void> {
  if (!host.inProcess || items.some((i) => i.args.refresh || wantedPackages(i.args).some((w) => w.version)))
    return () => {};
  const status = await host.readFile('/var/lib/dpkg/status');
  if (!status || late()) return () => {}; // apt-cache answered first: the plan asks apt itself, at once
  const installed = installedInStatus(status.toString('utf8'));
  const guess = lists.map(
    (names): PkgFacts => ({
      listsPresent: true,
      pkgs: Object.fromEntries(
        names.map((n) => {
          const on = installed.has(n) ? '?' : null;
          return [
            n,
            { installed: on, status: on ? 'installed' : 'unknown', held: false, candidate: '?', versions: ['?'] },
          ];
        }),
      ),
    }),
  );
  const argvs = pendingGroups(items, guess, false).map((idx) =>
    idx.length === 1
      ? pendingArgv(items[idx[0]!]!.args, guess[idx[0]!]!, false)!
      : installArgv(idx.map((i) => ({ args: items[i]!.args, changes: planInstall(items[i]!.args, guess[i]!, false) }))),
  );
  return simulateAhead(host, argvs);
}

/** A plan that refreshes the index first re-plans after it: such a state applies on its own. */
const aggregateKey = (args: InstalledArgs, changes: PkgChange[]): string | null =>
  args.sources || changes.some((c) => c.kind === 'refresh') ? null : aggKey(args);

type SourceFacts = PkgFacts & { debs?: DebFile[] };

/** pkg.installed with `sources` (.deb files) goes its own way; the rest as before. */
const installedGatherMany = (
  host: Host,
  items: Array<{ args: InstalledArgs; aggregate?: boolean }>,
): Promise<PkgFacts[]> => {
  const repo = items.filter((i) => !i.args.sources);
  return Promise.all([
    batchedInstallGather(false)(host, repo),
    Promise.all(items.filter((i) => i.args.sources).map((i) => gatherSources(host, i.args.sources!))),
  ]).then(([a, b]) => {
    let ai = 0;
    let bi = 0;
    return items.map((i) => (i.args.sources ? b[bi++]! : a[ai++]!));
  });
};

export const installed: StateFunction<InstalledArgs, SourceFacts, PkgChange> = {
  schema: installedSchema,
  inert: { runas: 'apt runs as root (Salt uses runas only for package managers such as Homebrew)' },
  lock: 'dpkg',
  gather: (host, args) => (args.sources ? gatherSources(host, args.sources) : gatherInstall(host, args, false)),
  gatherMany: installedGatherMany,
  plan: (args, facts) => (args.sources ? planSources(facts) : planInstall(args, facts, false)),
  apply: (host, changes, ctx) =>
    ctx.args.sources
      ? applySources(host, ctx.name, changes, ctx.args.lock_timeout)
      : applyInstall(host, changes, ctx, false),
  aggregate: { key: aggregateKey, applyMany: applyInstallMany },
};

export const latest: StateFunction<InstalledArgs, PkgFacts, PkgChange> = {
  schema: latestSchema,
  lock: 'dpkg',
  gather: (host, args) => gatherInstall(host, args, true),
  gatherMany: batchedInstallGather(true),
  plan: (args, facts) => planInstall(args, facts, true),
  apply: (host, changes, ctx) => applyInstall(host, changes, ctx, true),
  aggregate: { key: aggregateKey, applyMany: applyInstallMany },
};
