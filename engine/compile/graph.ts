// The scheduling graph: which chunks must finish before each starts (requisites, prereq
// inverted, order ranks), and cycle detection that names the cycle.
import { RequisiteCycleError } from '../errors.js';
import { type Chunk, chunkLabel } from './types.js';

export type AfterMap = Map<string, Set<string>>;

/** Ordering edges from requisites: require/watch/onchanges/onfail: after targets; prereq: targets after me. */
export function requisiteEdges(chunks: Chunk[]): AfterMap {
  const after: AfterMap = new Map(chunks.map((c) => [c.key, new Set<string>()]));
  for (const c of chunks) {
    for (const r of c.requisites) {
      if (r.kind === 'listen') continue;
      for (const t of r.targets) {
        if (r.kind === 'prereq') after.get(t)!.add(c.key);
        else after.get(c.key)!.add(t);
      }
    }
  }
  return after;
}

/** Does `a` (transitively) come after `b`? */
export function comesAfter(after: AfterMap, a: string, b: string): boolean {
  const seen = new Set<string>();
  const stack = [a];
  while (stack.length) {
    const k = stack.pop()!;
    for (const p of after.get(k) ?? []) {
      if (p === b) return true;
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return false;
}

/** order: a chunk starts after every lower-ranked chunk, unless that chunk depends on it (requisites win). */
export function addOrderEdges(chunks: Chunk[], after: AfterMap): void {
  const ranks = [...new Set(chunks.map((c) => c.rank))].sort((x, y) => x - y);
  if (ranks.length < 2) return;
  for (const c of chunks) {
    for (const d of chunks) {
      if (d.rank < c.rank && !comesAfter(after, d.key, c.key)) after.get(c.key)!.add(d.key);
    }
  }
}

/** Throws RequisiteCycleError naming the states of the first cycle found. */
export function checkCycles(chunks: Chunk[], after: AfterMap): void {
  const byKey = new Map(chunks.map((c) => [c.key, c]));
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (k: string): void => {
    state.set(k, 1);
    path.push(k);
    for (const p of after.get(k) ?? []) {
      const s = state.get(p);
      if (s === 1) {
        const cyc = path.slice(path.indexOf(p));
        // path runs from dependent to dependency; print in execution order
        const names = [...cyc, p].reverse().map((x) => {
          const c = byKey.get(x)!;
          return `${chunkLabel(c)} (${c.loc.file}:${c.loc.line})`;
        });
        throw new RequisiteCycleError(names);
      }
      if (!s) visit(p);
    }
    path.pop();
    state.set(k, 2);
  };
  for (const c of chunks) if (!state.has(c.key)) visit(c.key);
}
