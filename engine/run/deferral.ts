// Dry run: may a state whose gather/plan failed be reported "would change after X" instead?
// Only when the failure is a fact a pending (would-change) upstream state can provide:
//   - a user or group: a pending user.present/group.present of that name (a user.present also
//     makes the group of its name), or a pending pkg state it requires (packages create system users);
//   - a package name apt's lists do not know: a pending state that may add an apt source or
//     refresh the lists (pkgrepo.*, pkg.* with refresh, a file.*/cmd.*/module.* state naming
//     /etc/apt/, apt-get update or add-apt-repository, module.run pkg.refresh_db), or a pending
//     cmd.*/module.* state it requires (the author linked them: its script may add the source);
//     any other pending state (update-grub) cannot make the package appear, so the dry run fails;
//   - another missing fact (unit, package not installed, locale, path): any pending upstream state;
//   - a command a gather needed that failed (its tool is not installed yet): a pending pkg state it requires;
//   - the host's present state refused (StateError: a directory where a link goes): a pending cmd
//     state it requires (a command may change anything; the real run then decides).
// Upstream: requisites and ordering edges transitively, and (Salt's declaration order) the
// states declared earlier; "it requires": the first two only.
// Everything else (a source, a template, a user nothing creates) fails as the real run would.
import type { Chunk } from '../compile/types.js';
import { CommandError, StateError } from '../errors.js';
import { type FactKind, MissingFactError } from './missing-fact.js';
import type { StateResult } from './types.js';

const label = (c: Chunk): string => `${c.module}: ${c.id}`;

/**
 * States that run before this one (requisites and the run's ordering edges, transitively; then
 * the states declared earlier that have finished, as Salt applies in declaration order) and would
 * change in this dry run; requisites first.
 */
export function pendingUpstream(
  chunk: Chunk,
  byKey: Map<string, Chunk>,
  results: Map<string, StateResult>,
  after?: Map<string, Set<string>>,
  declared = true,
): Chunk[] {
  const seen = new Set<string>([chunk.key]);
  const out: Chunk[] = [];
  const visit = (k: string): void => {
    if (seen.has(k)) return;
    seen.add(k);
    const t = byKey.get(k);
    if (!t) return;
    if (results.get(k)?.result === null) out.push(t);
    walk(t);
  };
  const walk = (c: Chunk): void => {
    for (const r of c.requisites) {
      if (r.kind === 'onfail' || r.kind === 'prereq' || r.kind === 'listen') continue;
      r.targets.forEach(visit);
    }
    for (const k of after?.get(c.key) ?? []) visit(k);
  };
  walk(chunk);
  if (!declared) return out;
  for (const c of byKey.values()) if (c.index < chunk.index) visit(c.key);
  return out;
}

const isPkg = (c: Chunk): boolean => c.module === 'pkg' && c.fun !== 'removed' && c.fun !== 'purged';

/** A command or path that adds an apt source, key or preference, or refreshes the lists. */
const APT_SOURCE = /\/etc\/apt\/|add-apt-repository|\bapt(?:-get)?\s+(?:-\S+\s+)*update\b/;

/** May this state make a package apt does not know yet known (a source, a key, a refresh)? */
function addsAptSource(c: Chunk): boolean {
  if (c.module === 'pkgrepo') return true;
  if (c.module === 'pkg') return c.args.refresh === true;
  if (c.module === 'file') return APT_SOURCE.test(c.name);
  if (c.module === 'module' && (c.name === 'pkg.refresh_db' || 'pkg.refresh_db' in c.args)) return true;
  if (c.module === 'cmd' || c.module === 'module') return APT_SOURCE.test(JSON.stringify(c.args));
  return false;
}

function provides(c: Chunk, e: { kind: FactKind; fact: string }, linked: Set<Chunk>): boolean {
  // a package may create system users, but only one the state is linked to counts: otherwise a
  // misspelt user anywhere after a pending package would pass the dry run
  if (e.kind === 'user')
    return (c.module === 'user' && c.fun === 'present' && c.name === e.fact) || (isPkg(c) && linked.has(c));
  if (e.kind === 'group')
    return (
      ((c.module === 'group' || c.module === 'user') && c.fun === 'present' && c.name === e.fact) ||
      (isPkg(c) && linked.has(c))
    );
  if (e.kind === 'apt-package')
    return addsAptSource(c) || ((c.module === 'cmd' || c.module === 'module') && linked.has(c));
  return true;
}

function find(
  chunk: Chunk,
  e: { kind: FactKind; fact: string },
  byKey: Map<string, Chunk>,
  results: Map<string, StateResult>,
  after?: Map<string, Set<string>>,
): Chunk | undefined {
  const linked = new Set(pendingUpstream(chunk, byKey, results, after, false));
  return pendingUpstream(chunk, byKey, results, after).find((c) => provides(c, e, linked));
}

/** The pending upstream state that may create the fact (StateCtx.pendingProvider). */
export function providerOf(
  chunk: Chunk,
  kind: FactKind,
  fact: string,
  byKey: Map<string, Chunk>,
  results: Map<string, StateResult>,
  after?: Map<string, Set<string>>,
): string | undefined {
  const by = find(chunk, { kind, fact }, byKey, results, after);
  return by ? label(by) : undefined;
}

/** The failure as the dry run reports it when nothing defers it: says why a real run fails too. */
export function undeferred(err: unknown): unknown {
  if (err instanceof MissingFactError && err.kind === 'apt-package')
    return new StateError(err.state, `${err.reason}; no earlier state adds an apt source, so a real run fails too`);
  return err;
}

/** The label of the pending upstream state the failure may be deferred to, or null: it fails. */
export function deferTo(
  chunk: Chunk,
  err: unknown,
  byKey: Map<string, Chunk>,
  results: Map<string, StateResult>,
  after?: Map<string, Set<string>>,
): string | null {
  if (err instanceof StateError && !(err instanceof MissingFactError)) {
    // what the host looks like now (a directory where a link goes) that a command it requires
    // would change first (prepare-storage moves /app/etc before the link is made)
    const cmd = pendingUpstream(chunk, byKey, results, after, false).find((c) => c.module === 'cmd');
    return cmd ? label(cmd) : null;
  }
  if (!(err instanceof MissingFactError) && !(err instanceof CommandError)) return null;
  // a failed command (its tool not installed yet): a pending package it is linked to
  const by =
    err instanceof MissingFactError
      ? find(chunk, err, byKey, results, after)
      : pendingUpstream(chunk, byKey, results, after, false).find(isPkg);
  return by ? label(by) : null;
}
