// Dry run: may a state whose gather/plan failed be reported "would change after X" instead?
// Only when the failure is a fact a pending (would-change) upstream state can provide:
//   - a user or group: a pending user.present/group.present of that name (a user.present also
//     makes the group of its name), or a pending pkg state (packages create system users);
//   - another missing fact (unit, package in the index, locale, path): any pending upstream state;
//   - a command a gather needed that failed (its tool is not installed yet): a pending pkg state.
// Everything else (a source, a template, a user nothing creates) fails as the real run would.
import type { Chunk } from '../compile/types.js';
import { CommandError } from '../errors.js';
import { type FactKind, MissingFactError } from './missing-fact.js';
import type { StateResult } from './types.js';

const label = (c: Chunk): string => `${c.module}: ${c.id}`;

/** Upstream states (through requisites, transitively) that would change in this dry run. */
export function pendingUpstream(chunk: Chunk, byKey: Map<string, Chunk>, results: Map<string, StateResult>): Chunk[] {
  const seen = new Set<string>();
  const out: Chunk[] = [];
  const walk = (c: Chunk): void => {
    for (const r of c.requisites) {
      if (r.kind === 'onfail' || r.kind === 'prereq' || r.kind === 'listen') continue;
      for (const k of r.targets) {
        if (seen.has(k)) continue;
        seen.add(k);
        const t = byKey.get(k);
        if (!t) continue;
        if (results.get(k)?.result === null) out.push(t);
        walk(t);
      }
    }
  };
  walk(chunk);
  return out;
}

const isPkg = (c: Chunk): boolean => c.module === 'pkg' && c.fun !== 'removed' && c.fun !== 'purged';

function provides(c: Chunk, e: { kind: FactKind; fact: string }): boolean {
  if (e.kind === 'user') return (c.module === 'user' && c.fun === 'present' && c.name === e.fact) || isPkg(c);
  if (e.kind === 'group') return ((c.module === 'group' || c.module === 'user') && c.fun === 'present' && c.name === e.fact) || isPkg(c);
  return true;
}

/** The pending upstream state that may create the fact (StateCtx.pendingProvider). */
export function providerOf(chunk: Chunk, kind: FactKind, fact: string, byKey: Map<string, Chunk>, results: Map<string, StateResult>): string | undefined {
  const by = pendingUpstream(chunk, byKey, results).find((c) => provides(c, { kind, fact }));
  return by ? label(by) : undefined;
}

/** The label of the pending upstream state the failure may be deferred to, or null: it fails. */
export function deferTo(chunk: Chunk, err: unknown, byKey: Map<string, Chunk>, results: Map<string, StateResult>): string | null {
  if (!(err instanceof MissingFactError) && !(err instanceof CommandError)) return null;
  const pending = pendingUpstream(chunk, byKey, results);
  const by = err instanceof MissingFactError ? pending.find((c) => provides(c, err)) : pending.find(isPkg);
  return by ? label(by) : null;
}
