// The guard of a saved plan's real run (engine/run/plan-hooks.ts): right before a state applies,
// its fresh plan must be the approved one. The check before the run compared whole dry runs;
// this closes the window between that check and each apply (a file edited by hand meanwhile).
//
// A state's changes must equal the plan's exactly (digest of the full changes), unless one of its
// requisites (require, watch, ..., transitively) changed something in this run: then its facts may
// legitimately differ from the dry run's (the package it requires brought a default config: the
// plan said "create", the apply sees "update"), and it must make exactly the approved outcome
// true: the same targets, the same new values and contents (outcome digest). A state the plan
// shows as deferred ("would change after X") could not be known at review and applies as its
// state function then plans it. Anything else is refused: the state fails with both sides named
// and, as the run is failhard, nothing after it runs.
import type { Change } from '../../engine/contract.js';
import type { Chunk } from '../compile/types.js';
import type { Redactor } from '../redact.js';
import { changeLine } from '../report/changes.js';
import type { StateResult } from '../run/types.js';
import type { PlanKeys } from './digest.js';
import { changesValue, outcomeValue } from './record.js';
import type { PlanHost } from './types.js';

export const NOT_AS_PLANNED = 'differs from the plan';

type Shown = { op: string; target: string; before?: unknown; after?: unknown };
const brief = (cs: Shown[]): string =>
  cs.length ? cs.map((c) => changeLine({ ...c, op: c.op as Change['op'] })).join(', ') : 'no change';

/** The keys of every state that finishes before `key` (its requisites, theirs, ...). */
function upstream(key: string, after: Map<string, Set<string>>): Set<string> {
  const seen = new Set<string>();
  const todo = [...(after.get(key) ?? [])];
  while (todo.length) {
    const k = todo.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    todo.push(...(after.get(k) ?? []));
  }
  return seen;
}

export function planGuard(saved: PlanHost, keys: PlanKeys, redactor: Redactor, after = new Map<string, Set<string>>()) {
  const states = new Map(saved.states.map((s) => [s.key, s]));
  return (chunk: Chunk, changes: Change[], results: Map<string, StateResult>): string | undefined => {
    if (!changes.length) return undefined;
    const st = states.get(chunk.key);
    if (!st) return `${NOT_AS_PLANNED}: not in the plan`;
    if (st.deferred) return undefined;
    if (keys.digest(changesValue(changes)) === st.digests.changes) return undefined;
    const changedBefore = [...upstream(chunk.key, after)].some((k) => {
      const r = results.get(k);
      return !!r && r.result !== false && r.changes.length > 0;
    });
    if (changedBefore && keys.digest(outcomeValue(changes)) === st.digests.outcome) return undefined;
    const hide = (v: unknown) => (keys.holdsSecret(String(v)) ? '<redacted>' : v);
    const now = changes.map((c) => ({ op: c.op, target: c.target, before: hide(c.before), after: hide(c.after) }));
    return redactor.redact(`${NOT_AS_PLANNED}: planned ${brief(st.changes)}; now ${brief(now)}`);
  };
}
