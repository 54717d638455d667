// Decides, from the results of a chunk's requisite targets, whether it runs (Salt semantics).
import type { Chunk } from '../compile/types.js';
import type { StateResult } from './types.js';

export type Gate =
  | { run: false; result: boolean; comment: string }
  | { run: true; watchTriggered: string | null; pendingAfter: string | null };

const label = (r: StateResult): string => `${r.module}: ${r.id}`;

/** A target "changed": it has changes, or (dry run) it would change. */
export function changed(r: StateResult): boolean {
  return r.result !== false && (r.changes.length > 0 || r.result === null);
}

export function gate(chunk: Chunk, results: Map<string, StateResult>): Gate {
  const failed: string[] = [];
  let onchangesSeen = false;
  let onchangesMet = false;
  let onfailSeen = false;
  let onfailMet = false;
  let watchSeen = false;
  let watchTriggered: string | null = null;
  let pendingAfter: string | null = null;
  for (const req of chunk.requisites) {
    if (req.kind === 'listen' || req.kind === 'prereq') continue;
    const targets = req.targets.map((k) => results.get(k)).filter((r): r is StateResult => !!r);
    if (req.kind === 'onfail') {
      onfailSeen = true;
      const fails = targets.filter((t) => t.result === false);
      if (req.any ? fails.length > 0 : fails.length === targets.length && targets.length > 0) onfailMet = true;
      continue;
    }
    const bad = targets.filter((t) => t.result === false);
    if (bad.length && (!req.any || bad.length === targets.length)) failed.push(...bad.map(label));
    for (const t of targets) if (t.result === null && !pendingAfter) pendingAfter = label(t);
    if (req.kind === 'onchanges') {
      onchangesSeen = true;
      if (targets.some(changed)) onchangesMet = true;
    }
    if (req.kind === 'watch') {
      watchSeen = true;
      const c = targets.find(changed);
      if (c && !watchTriggered) watchTriggered = label(c);
    }
  }
  if (failed.length)
    return { run: false, result: false, comment: `One or more requisite failed: ${[...new Set(failed)].join(', ')}` };
  if (onfailSeen && !onfailMet)
    return { run: false, result: true, comment: 'State was not run because onfail req did not change' };
  if (onchangesSeen && !onchangesMet) {
    return { run: false, result: true, comment: 'State was not run because none of the onchanges reqs changed' };
  }
  // cmd.wait and friends: run only when a watched (or onchanges) state changed.
  if (chunk.fun === 'wait' && onchangesMet && !watchTriggered) {
    const t = chunk.requisites
      .filter((r) => r.kind === 'onchanges')
      .flatMap((r) => r.targets)
      .map((k) => results.get(k))
      .find((r) => r && changed(r));
    if (t) watchTriggered = label(t);
  }
  if (chunk.fun === 'wait' && !watchTriggered) {
    return {
      run: false,
      result: true,
      comment: watchSeen
        ? 'State was not run because none of the watched states changed'
        : 'State was not run: nothing watched',
    };
  }
  return { run: true, watchTriggered, pendingAfter };
}
