// Aggregation (Salt's mod_aggregate, without its bug): when a chunk whose function has `aggregate`
// is about to apply, the runner pulls forward the other not-yet-started chunks of the same function
// that nothing orders, plans them, and makes ONE applyMany call. Each absorbed chunk, when the runner
// reaches it, reports the changes made on its behalf (result true, its own planned changes, a
// comment naming the state it was applied with), so watch/onchanges on it fire as before. If the
// shared call fails, every state falls back to its own apply (a bad package in one state must not
// fail the others: isolation), the leader at once, the absorbed ones when the runner reaches them,
// and the function is not aggregated again in this run (the failure would likely repeat).
import type { ApplyOutput, Change } from '../contract.js';
import type { Chunk, CompiledRun } from '../compile/types.js';
import { chunkLabel } from '../compile/types.js';
import { type CtxLog, makeCtx } from './ctx.js';
import { oneLine } from './errors.js';
import type { ExecEnv } from './execute.js';
import { stateResult } from './result.js';
import type { StateResult } from './types.js';

/** May the runner pull this chunk forward into another chunk's apply? (static: the DAG and meta) */
export function absorbable(c: Chunk, compiled: CompiledRun): boolean {
  return (
    !!c.fn.aggregate &&
    c.meta.aggregate !== false &&
    !compiled.after.get(c.key)?.size &&
    !c.requisites.some((r) => r.kind === 'prereq') &&
    !c.meta.retry &&
    !c.meta.onlyif.length &&
    !c.meta.unless.length &&
    !c.meta.creates.length
  );
}

interface Claim {
  promise: Promise<StateResult | null>;
  resolve(r: StateResult | null): void;
  settled?: boolean;
}

/** Which chunks have started, which are claimed by a leader; one per run (one host). */
export class Aggregator {
  private started = new Set<string>();
  private claims = new Map<string, Claim>();
  /** Functions whose shared call failed in this run: the rest of their states apply on their own. */
  private failed = new Set<unknown>();
  constructor(
    private compiled: CompiledRun,
    private o: { enabled: boolean; test: boolean; aborted(): boolean },
  ) {}

  /** The items' `aggregate` hint for gatherMany (the dry run too: it shows what the real run does). */
  mayAbsorb(c: Chunk): boolean {
    return this.o.enabled && absorbable(c, this.compiled);
  }

  markStarted(key: string): void {
    this.started.add(key);
  }

  claimOf(key: string): Promise<StateResult | null> | undefined {
    return this.claims.get(key)?.promise;
  }

  /** Claims the chunks `leader` may absorb (declaration order); each must be settled with settle(). */
  claim(leader: Chunk): Chunk[] {
    if (!this.o.enabled || this.o.test || !leader.fn.aggregate || leader.meta.aggregate === false || this.o.aborted())
      return [];
    if (this.failed.has(leader.fn)) return [];
    const out: Chunk[] = [];
    for (const c of this.compiled.chunks) {
      if (c === leader || c.fn !== leader.fn || this.started.has(c.key) || this.claims.has(c.key)) continue;
      if (!absorbable(c, this.compiled)) continue;
      let resolve!: (r: StateResult | null) => void;
      const promise = new Promise<StateResult | null>((r) => (resolve = r));
      this.claims.set(c.key, { promise, resolve });
      this.started.add(c.key);
      out.push(c);
    }
    return out;
  }

  /** The shared call of this function failed: no more aggregation for it in this run. */
  fail(fn: unknown): void {
    this.failed.add(fn);
  }

  /** A result: the chunk reports it when reached. null: released, it runs on its own. */
  settle(key: string, r: StateResult | null): void {
    const cl = this.claims.get(key);
    if (!cl || cl.settled) return;
    cl.settled = true;
    if (!r) {
      this.claims.delete(key);
      this.started.delete(key);
    }
    cl.resolve(r);
  }
}

export type Together =
  /** Not aggregated (nothing to absorb, or the group could not be planned): apply alone as usual. */
  | { kind: 'alone' }
  /** The shared call failed: the leader re-plans and applies alone. */
  | { kind: 'fallback' }
  | { kind: 'done'; plan: Change[]; facts: unknown; out: ApplyOutput | void; again: Change[] };

async function gatherGroup(group: Chunk[], env: ExecEnv): Promise<unknown[]> {
  const fn = group[0]!.fn;
  const ctxs = group.map((c) => makeCtx(c, env, { info: [], warn: [] }));
  if (fn.gatherMany) {
    const got = await fn.gatherMany(
      env.host,
      group.map((c, i) => ({ args: c.args, ctx: ctxs[i]!, aggregate: true })),
    );
    if (got.length === group.length) return got;
  }
  return Promise.all(group.map((c, i) => fn.gather(env.host, c.args, ctxs[i]!)));
}

/**
 * Called by the leader right before it applies `plan`. Absorbs, plans, applies all in one call,
 * verifies all (one gather), and settles the absorbed chunks' results.
 */
export async function applyTogether(
  leader: Chunk,
  plan: Change[],
  env: ExecEnv,
  log: CtxLog,
  agg: Aggregator,
): Promise<Together> {
  const ag = leader.fn.aggregate;
  const key = ag?.key(leader.args, plan) ?? null;
  if (!ag || key === null) return { kind: 'alone' };
  const cands = agg.claim(leader);
  if (!cands.length) return { kind: 'alone' };
  try {
    return await absorb(leader, key, cands, env, log, agg);
  } finally {
    // whatever happened, no claimed chunk waits forever: the unsettled ones run on their own
    for (const c of cands) agg.settle(c.key, null);
  }
}

async function absorb(
  leader: Chunk,
  key: string,
  cands: Chunk[],
  env: ExecEnv,
  log: CtxLog,
  agg: Aggregator,
): Promise<Together> {
  const ag = leader.fn.aggregate!;
  const release = (cs: Chunk[]) => cs.forEach((c) => agg.settle(c.key, null));
  const label = chunkLabel(leader);

  // plan the group: fresh facts (something may have been applied since the prefetch), one gather
  const group = [leader, ...cands].sort((a, b) => a.index - b.index);
  const plans = new Map<string, { plan: Change[]; facts: unknown }>();
  try {
    const facts = await gatherGroup(group, env);
    group.forEach((c, i) => {
      try {
        const p = c.fn.plan(c.args, facts[i], makeCtx(c, env, c === leader ? log : { info: [], warn: [] }));
        // a saved plan's apply: a state whose plan is not the approved one is left to its own run
        const approved = c === leader || !env.planHooks?.guard?.(c, p, env.results);
        if (c === leader || (p.length && ag.key(c.args, p) === key && approved)) {
          plans.set(c.key, { plan: p, facts: facts[i] });
        }
      } catch {
        // its own run reports the problem
      }
    });
  } catch (e) {
    env.debug?.(`${label}: planning the aggregated apply failed, applying alone: ${oneLine(e)}`);
    release(cands);
    return { kind: 'alone' };
  }
  const absorbed = cands.filter((c) => plans.has(c.key));
  release(cands.filter((c) => !plans.has(c.key)));
  const own = plans.get(leader.key);
  if (!absorbed.length || !own?.plan.length || ag.key(leader.args, own.plan) !== key) {
    release(absorbed);
    return { kind: 'alone' };
  }

  const members = group.filter((c) => plans.has(c.key));
  const started = Date.now();
  env.markApplying();
  let outs: Awaited<ReturnType<typeof ag.applyMany>>;
  try {
    outs = await ag.applyMany(
      env.host,
      members.map((c) => ({
        changes: plans.get(c.key)!.plan,
        ctx: { ...makeCtx(c, env, c === leader ? log : { info: [], warn: [] }), facts: plans.get(c.key)!.facts },
      })),
    );
  } catch (e) {
    // Isolation over speed: each state retries on its own, so one bad state fails alone.
    log.warn.push(
      `one ${leader.module}.${leader.fun} call for ${members.length} states failed (${oneLine(e)}); each applies on ` +
        `its own`,
    );
    agg.fail(leader.fn);
    release(absorbed);
    return { kind: 'fallback' };
  }

  // verify all members with one gather: the run verifies itself
  let again: Change[][];
  try {
    const facts = await gatherGroup(members, env);
    again = members.map((c, i) =>
      c.fn.plan(c.args, facts[i], makeCtx(c, env, { info: [], warn: [] })).filter((x) => x.op !== 'run'),
    );
  } catch (e) {
    const msg = `verifying after the shared apply failed: ${oneLine(e)}`;
    again = members.map(() => [{ op: 'update', target: msg }]);
  }
  const durationMs = Date.now() - started;
  const others = absorbed.map(chunkLabel);
  members.forEach((c, i) => {
    if (c === leader) return;
    const out = outs[i] ?? undefined;
    const left = again[i]!;
    const changes = plans.get(c.key)!.plan;
    const result = out?.result !== false && !left.length;
    const with_ = `with ${label} (one call for ${members.length} states)`;
    const comment = left.length
      ? `did not converge: still to change: ${[...new Set(left.map((x) => x.target))].join(', ')} (applied ${with_})`
      : `${out?.comment || `${changes.length} change(s) made`} ${with_}`;
    // runNum: set when the runner reaches it
    agg.settle(
      c.key,
      stateResult(
        c,
        { result, comment, changes, ...(out?.data ? { data: out.data } : {}) },
        { started, durationMs, runNum: 0 },
      ),
    );
  });
  const leaderOut = outs[members.indexOf(leader)] ?? undefined;
  const comment = `${leaderOut?.comment || `${own.plan.length} change(s) made`} (together with ${others.join(', ')})`;
  return {
    kind: 'done',
    plan: own.plan,
    facts: own.facts,
    out: { ...(leaderOut ?? {}), comment },
    again: again[members.indexOf(leader)]!,
  };
}
