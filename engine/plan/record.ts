// Builds a plan's host entry from a dry run: the report's changes in their redacted form, and the
// keyed digests (digest.ts) of the changes, the compiled state, the rendered contents and the facts.
import type { Change } from '../../engine/contract.js';
import type { CompiledRun } from '../compile/types.js';
import type { Redactor } from '../redact.js';
import { withSafeDiffs } from '../report/index.js';
import type { RunReport, StateResult } from '../run/types.js';
import { canonicalJson } from './canonical.js';
import type { PlanKeys } from './digest.js';
import type { PlanChange, PlanHost, PlanState } from './types.js';

/** What the changes digest covers: everything the apply gets, payloads included. */
export function changesValue(changes: Change[]): unknown {
  return changes.map((c) => ({
    op: c.op,
    target: c.target,
    before: c.before,
    after: c.after,
    diff: c.diff,
    payload: c.payload,
  }));
}

/** What the outcome digest covers: what the changes make true, not what was there before. */
export function outcomeValue(changes: Change[]): unknown {
  return changes.map((c) => ({ target: c.target, after: c.after, payload: c.payload }));
}

const HEX64 = /\b[0-9a-f]{64}\b/g;

/** A change as shown in the plan: redacted; the sha256 of content that holds a secret keyed. */
function shown(raw: Change, safe: Change, keys: PlanKeys, redactor: Redactor): PlanChange {
  const secret = keys.holdsSecret(canonicalJson(changesValue([raw]))) || /holds a secret/.test(safe.diff ?? '');
  const keyed = (h: string) => `hmac:${keys.secretDigest(h)}`;
  const key = (v: unknown): unknown => (secret && typeof v === 'string' ? v.replace(HEX64, keyed) : v);
  const out: PlanChange = { op: safe.op, target: safe.target };
  if (safe.before !== undefined) out.before = key(safe.before);
  if (safe.after !== undefined) out.after = key(safe.after);
  if (safe.diff !== undefined) out.diff = key(safe.diff) as string;
  return redactor.redactDeep(out);
}

export interface RecordInput {
  report: RunReport;
  compiled: CompiledRun;
  prepared: Map<string, unknown>;
  facts: Map<string, unknown>;
  keys: PlanKeys;
  redactor: Redactor;
}

export function stateEntry(r: StateResult, safe: StateResult, o: RecordInput): PlanState {
  const chunk = o.compiled.byKey.get(r.key);
  const compiled = chunk
    ? {
        module: chunk.module,
        fun: chunk.fun,
        id: chunk.id,
        name: chunk.name,
        args: chunk.args,
        meta: chunk.meta,
        requisites: chunk.requisites.map((q) => ({ kind: q.kind, any: q.any, targets: q.targets })),
      }
    : { key: r.key };
  const digests: PlanState['digests'] = {
    changes: o.keys.digest(changesValue(r.changes)),
    outcome: o.keys.digest(outcomeValue(r.changes)),
    args: o.keys.digest(compiled),
  };
  if (o.prepared.has(r.key)) digests.contents = o.keys.digest(o.prepared.get(r.key));
  if (o.facts.has(r.key)) digests.facts = o.keys.digest(o.facts.get(r.key));
  const deferred = r.result === null && !r.changes.length && !!r.data && 'deferred' in r.data;
  return {
    key: r.key,
    id: o.redactor.redact(r.id),
    name: o.redactor.redact(r.name),
    module: r.module,
    function: r.fun,
    sls: r.sls,
    file: r.file,
    line: r.line,
    result: r.result,
    comment: o.redactor.redact(r.comment),
    ...(deferred ? { deferred: true as const } : {}),
    changes: r.changes.map((c, i) => shown(c, safe.changes[i]!, o.keys, o.redactor)),
    digests,
  };
}

export function recordHost(o: RecordInput, where: Pick<PlanHost, 'host' | 'target' | 'address' | 'root'>): PlanHost {
  const safe = withSafeDiffs(o.report, o.redactor);
  const states = o.report.results.map((r, i) => stateEntry(r, safe.results[i]!, o));
  return {
    host: where.host,
    ...(where.target ? { target: where.target } : {}),
    ...(where.address ? { address: where.address } : {}),
    ...(where.root ? { root: where.root } : {}),
    states,
    summary: {
      total: states.length,
      pending: states.filter((s) => s.result === null).length,
      failed: states.filter((s) => s.result === false).length,
    },
  };
}
