// Runs one chunk in named steps: precheck (requisites, onlyif/unless/creates, prereq) -> planned
// (gather + plan) -> dryRun (--test stops here) or applyPlan (apply, alone or aggregated, then
// gather+plan again: the run verifies itself) -> refreshAfter when a watched state changed. The
// StateResult is built in result.ts.
import type { ApplyOutput, Change, ContentView } from '../contract.js';
import type { Host } from '../host/host.js';
import type { Chunk } from '../compile/types.js';
import { checkConditions, type KnownExists, type KnownGuard } from './conditions.js';
import { type CtxLog, makeCtx, type TemplateRenderer } from './ctx.js';
import { oneLine } from './errors.js';
import { deferTo, providerOf, undeferred } from './deferral.js';
import { changed, gate, type Gate } from './requisite-check.js';
import { type Outcome, stateResult } from './result.js';
import type { StateResult } from './types.js';
import type { Together } from './aggregate.js';
import type { PlanHooks } from './plan-hooks.js';
import type { ReadAhead } from './read-ahead.js';

/** The gate of a state that runs (its requisites are met). */
type Open = Extract<Gate, { run: true }>;

export interface ExecEnv {
  host: Host;
  test: boolean;
  statesDir: string;
  render?: TemplateRenderer;
  debug?: (msg: string) => void;
  /** What each state's `prepare` returned in the compile phase, by chunk key. */
  prepared?: Map<string, unknown>;
  /** The run's secrets and diff budget for the plans' content diffs. */
  content?: ContentView;
  /** Saved plans: facts out, the apply guard (plan-hooks.ts). */
  planHooks?: PlanHooks;
  results: Map<string, StateResult>;
  byKey: Map<string, Chunk>;
  /** The run's ordering edges (key -> keys that finish before it). */
  after?: Map<string, Set<string>>;
  /** Batched facts from gatherMany, valid until the first apply on this host. */
  takeFacts(chunk: Chunk): { facts: unknown } | undefined;
  /** Gives back facts taken with takeFacts but not used (a state left out of a wave). */
  returnFacts?(chunk: Chunk, facts: unknown): void;
  /** Batched existence of `creates` paths, valid until the first apply on this host. */
  knownExists?: KnownExists;
  /** Batched exit codes of onlyif/unless commands, valid until the first apply on this host. */
  knownGuard?: KnownGuard;
  /** Called right before the first change is made (invalidates batched facts). */
  markApplying(): void;
  /**
   * Like markApplying, for changes whose paths are known (a wave's ops): the batched existence of
   * `creates` paths stays valid for paths none of them overlaps.
   */
  markTouched?(paths: string[]): void;
  /** How many times markApplying/markTouched were called: facts read since then still hold while it stays. */
  changeCount?(): number;
  nextRunNum(): number;
  /** Aggregation: called right before a real apply; may apply other states' plans in the same call. */
  together?(chunk: Chunk, plan: Change[], log: CtxLog): Promise<Together>;
  /** Dry runs: checks and facts read ahead of the states' turns (read-ahead.ts). */
  ahead?: ReadAhead;
}

const targetsOf = (cs: Change[]): string => [...new Set(cs.map((c) => c.target))].join(', ');

/** gather (batched facts if still valid) and plan. */
async function gatherPlan(
  chunk: Chunk,
  env: ExecEnv,
  log: CtxLog,
  fresh: boolean,
  pending?: string | null,
): Promise<{ facts: unknown; plan: Change[] }> {
  const ctx = makeCtx(chunk, env, log);
  if (pending) ctx.pendingRequisite = pending;
  if (env.test) ctx.pendingProvider = (kind, name) => providerOf(chunk, kind, name, env.byKey, env.results, env.after);
  const pre = fresh ? undefined : (env.takeFacts(chunk) ?? (await env.ahead?.take(chunk, log)));
  const facts = pre ? pre.facts : await chunk.fn.gather(env.host, chunk.args, ctx);
  return { facts, plan: chunk.fn.plan(chunk.args, facts, ctx) };
}

/** prereq: run this chunk only when one of its prereq targets would change. */
async function prereqMet(chunk: Chunk, env: ExecEnv): Promise<{ met: boolean; error?: string }> {
  const reqs = chunk.requisites.filter((r) => r.kind === 'prereq');
  if (!reqs.length) return { met: true };
  for (const r of reqs) {
    for (const k of r.targets) {
      const t = env.byKey.get(k)!;
      try {
        const { plan } = await gatherPlan(t, env, { info: [], warn: [] }, true);
        if (plan.length) return { met: true };
      } catch (e) {
        return { met: false, error: `prereq check of ${t.module}: ${t.id} failed: ${oneLine(e)}` };
      }
    }
  }
  return { met: false };
}

/** Gate on requisites, onlyif/unless/creates and prereq: an Outcome when the state does not run. */
async function precheck(chunk: Chunk, env: ExecEnv): Promise<Outcome | { gate: Open; pending: string | null }> {
  const g = gate(chunk, env.results);
  if (!g.run) return { result: g.result, comment: g.comment, changes: [], notRun: true };
  const skip = await (env.ahead?.conditions(chunk) ??
    checkConditions(env.host, chunk, env.knownExists, env.knownGuard));
  if (skip) return { result: true, comment: skip, changes: [] };
  const pre = await prereqMet(chunk, env);
  if (pre.error) return { result: false, comment: pre.error, changes: [] };
  if (!pre.met) return { result: true, comment: 'No changes: none of the prereq states would change', changes: [] };
  return { gate: g, pending: env.test ? (g.pendingAfter ?? null) : null };
}

/** gather + plan; in a dry run a fact a pending upstream state may create defers the state (deferral.ts). */
async function planned(
  chunk: Chunk,
  env: ExecEnv,
  log: CtxLog,
  pending: string | null,
): Promise<Outcome | { facts: unknown; plan: Change[] }> {
  try {
    const got = await gatherPlan(chunk, env, log, false, pending);
    env.planHooks?.onFacts?.(chunk, got.facts);
    return got;
  } catch (e) {
    const by = env.test ? deferTo(chunk, e, env.byKey, env.results, env.after) : null;
    if (by) return { result: null, comment: `would change after ${by}`, changes: [], data: { deferred: oneLine(e) } };
    throw env.test ? undeferred(e) : e;
  }
}

/** What a watch triggers (restart, reload, run), when it is due: not when the plan already does it. */
function refreshDue(chunk: Chunk, g: Open, plan: Change[]): string | null {
  const fn = chunk.fn;
  const verb = fn.refresh ? (fn.refreshVerb?.(chunk.args) ?? 'run') : null;
  if (!g.watchTriggered || !verb) return null;
  return (fn.refreshCoveredBy ? fn.refreshCoveredBy(plan, chunk.args) : plan.length > 0) ? null : verb;
}

/** --test: what would change (the plan, plus the refresh a watch would trigger). */
function dryRun(
  chunk: Chunk,
  g: Open,
  plan: Change[],
  verb: string | null,
  pending: string | null,
  log: CtxLog,
): Outcome {
  const refresh: Change = { op: 'run', target: chunk.name, after: verb };
  if (plan.length && verb) {
    return {
      result: null,
      comment: `would change (${plan.length}) and ${verb} (watched ${g.watchTriggered} would change)`,
      changes: [...plan, refresh],
    };
  }
  if (plan.length)
    return {
      result: null,
      comment: `would change (${plan.length})${pending ? ` after ${pending}` : ''}`,
      changes: plan,
    };
  if (verb)
    return { result: null, comment: `would ${verb} (watched ${g.watchTriggered} would change)`, changes: [refresh] };
  return { result: true, comment: log.info.join('; ') || 'Already in the desired state', changes: [] };
}

/**
 * Makes the plan real, alone or with other states in one call (aggregation), then verifies it:
 * gather and plan again, and fail when something is still to change.
 */
async function applyPlan(
  chunk: Chunk,
  env: ExecEnv,
  log: CtxLog,
  facts: unknown,
  plan: Change[],
  verb: string | null,
): Promise<{ done: Outcome; converged: boolean }> {
  // a saved plan's apply: only the approved changes (plan-hooks.ts)
  const refused = (p: Change[]) =>
    env.planHooks?.guard?.(chunk, verb ? [...p, { op: 'run', target: chunk.name, after: verb }] : p, env.results);
  const refusal = refused(plan);
  if (refusal) return { done: { result: false, comment: refusal, changes: [] }, converged: false };
  const tog = plan.length && env.together ? await env.together(chunk, plan, log) : { kind: 'alone' as const };
  if (tog.kind === 'fallback') {
    ({ facts, plan } = await gatherPlan(chunk, env, log, true));
    const again = refused(plan);
    if (again) return { done: { result: false, comment: again, changes: [] }, converged: false };
  }
  if (tog.kind !== 'done' && !plan.length) return { done: { result: true, comment: '', changes: [] }, converged: true };
  let out: ApplyOutput | void;
  let again: Change[] | undefined;
  if (tog.kind === 'done') ({ plan, out, again } = tog);
  else {
    env.markApplying();
    out = await chunk.fn.apply(env.host, plan, { ...makeCtx(chunk, env, log), facts });
  }
  const done: Outcome = {
    result: out?.result !== false,
    comment: out?.comment ?? '',
    changes: [...plan],
    ...(out?.data ? { data: { ...out.data } } : {}),
  };
  if (done.result) {
    again ??= (await gatherPlan(chunk, env, { info: [], warn: [] }, true)).plan.filter((c) => c.op !== 'run');
    if (again.length)
      return {
        done: { ...done, result: false, comment: `did not converge: still to change: ${targetsOf(again)}` },
        converged: false,
      };
  }
  return { done, converged: true };
}

/** A watch's refresh after the apply (restart, reload, run), added to what was done. */
async function refreshAfter(
  chunk: Chunk,
  env: ExecEnv,
  log: CtxLog,
  g: Open,
  verb: string,
  done: Outcome,
): Promise<Outcome> {
  env.markApplying();
  const out = await chunk.fn.refresh!(env.host, chunk.args, makeCtx(chunk, env, log));
  const said = out?.comment || `${verb} (watched ${g.watchTriggered} changed)`;
  return {
    result: out?.result === false ? false : done.result,
    comment: done.comment ? `${done.comment}; ${said}` : said,
    changes: [...done.changes, { op: 'run', target: chunk.name, after: verb }],
    ...(done.data || out?.data ? { data: { ...done.data, ...out?.data } } : {}),
  };
}

async function body(chunk: Chunk, env: ExecEnv, log: CtxLog): Promise<Outcome> {
  const pre = await precheck(chunk, env);
  if (!('gate' in pre)) return pre;
  const p = await planned(chunk, env, log, pre.pending);
  if (!('plan' in p)) return p;
  const verb = refreshDue(chunk, pre.gate, p.plan);
  if (env.test) return dryRun(chunk, pre.gate, p.plan, verb, pre.pending, log);
  let { done, converged } = await applyPlan(chunk, env, log, p.facts, p.plan, verb);
  if (!converged) return done;
  if (done.result && verb && chunk.fn.refresh) done = await refreshAfter(chunk, env, log, pre.gate, verb, done);
  if (done.comment) return done;
  const comment = done.changes.length
    ? `${done.changes.length} change(s) made`
    : log.info.join('; ') || 'Already in the desired state';
  return { ...done, comment };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function attempt(chunk: Chunk, env: ExecEnv, log: CtxLog): Promise<Outcome> {
  try {
    return await body(chunk, env, log);
  } catch (e) {
    return { result: false, comment: oneLine(e), changes: [] };
  }
}

export async function executeChunk(chunk: Chunk, env: ExecEnv): Promise<StateResult> {
  const started = Date.now();
  const runNum = env.nextRunNum();
  const log: CtxLog = { info: [], warn: [] };
  // Salt's retry: real runs only; the state runs again until its result is `until`
  const retry = env.test ? undefined : chunk.meta.retry;
  const earlier: string[] = [];
  const changes: Change[] = [];
  let o = await attempt(chunk, env, log);
  for (let n = 1; retry && !o.notRun && o.result !== retry.until && n < retry.attempts; n++) {
    changes.push(...o.changes);
    earlier.push(`attempt ${n} of ${retry.attempts}: result ${o.result}: ${o.comment}`);
    await sleep((retry.interval + Math.random() * retry.splay) * 1000);
    o = await attempt(chunk, env, log);
  }
  const comment = earlier.length
    ? [...earlier, `attempt ${earlier.length + 1} of ${retry!.attempts}: ${o.comment}`].join('; ')
    : o.comment;
  return stateResult(
    chunk,
    { ...o, comment, changes: [...changes, ...o.changes] },
    { started, runNum, warnings: [...(chunk.meta.inert ?? []), ...log.warn] },
  );
}

export { changed };
