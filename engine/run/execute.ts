// Runs one chunk: gate on requisites -> onlyif/unless/creates -> gather -> plan -> (test: stop)
// -> apply -> gather+plan again (the run verifies itself) -> refresh when a watched state changed.
import type { ApplyOutput, Change, ContentView } from '../../modules/contract.js';
import type { Host } from '../host/host.js';
import type { Chunk } from '../compile/types.js';
import { checkConditions, type KnownExists } from './conditions.js';
import { type CtxLog, makeCtx, type TemplateRenderer } from './ctx.js';
import { oneLine } from './errors.js';
import { deferTo, providerOf } from './deferral.js';
import { changed, gate } from './requisite-check.js';
import type { StateResult } from './types.js';
import type { Together } from './aggregate.js';

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
  /** Called right before the first change is made (invalidates batched facts). */
  markApplying(): void;
  /**
   * Like markApplying, for changes whose paths are known (a wave's ops): the batched existence of
   * `creates` paths stays valid for paths none of them overlaps.
   */
  markTouched?(paths: string[]): void;
  nextRunNum(): number;
  /** Aggregation: called right before a real apply; may apply other states' plans in the same call. */
  together?(chunk: Chunk, plan: Change[], log: CtxLog): Promise<Together>;
}

export interface Outcome {
  result: boolean | null;
  comment: string;
  changes: Change[];
  data?: Record<string, unknown>;
  /** The state did not run (a requisite failed): trying again would not help. */
  notRun?: boolean;
}

export function blank(chunk: Chunk, runNum: number, started: number): StateResult {
  return {
    key: chunk.key,
    id: chunk.id,
    name: chunk.name,
    module: chunk.module,
    fun: chunk.fun,
    sls: chunk.sls,
    file: chunk.loc.file,
    line: chunk.loc.line,
    result: true,
    comment: '',
    changes: [],
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    runNum,
  };
}

const targetsOf = (cs: Change[]): string => [...new Set(cs.map((c) => c.target))].join(', ');

/** gather (batched facts if still valid) and plan. */
async function gatherPlan(chunk: Chunk, env: ExecEnv, log: CtxLog, fresh: boolean, pending?: string | null): Promise<{ facts: unknown; plan: Change[] }> {
  const ctx = makeCtx(chunk, env, log);
  if (pending) ctx.pendingRequisite = pending;
  if (env.test) ctx.pendingProvider = (kind, name) => providerOf(chunk, kind, name, env.byKey, env.results, env.after);
  const pre = fresh ? undefined : env.takeFacts(chunk);
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

async function body(chunk: Chunk, env: ExecEnv, log: CtxLog): Promise<Outcome> {
  const g = gate(chunk, env.results);
  if (!g.run) return { result: g.result, comment: g.comment, changes: [], notRun: true };
  const pending = env.test ? g.pendingAfter : null;
  const skip = await checkConditions(env.host, chunk, env.knownExists);
  if (skip) return { result: true, comment: skip, changes: [] };
  const pre = await prereqMet(chunk, env);
  if (pre.error) return { result: false, comment: pre.error, changes: [] };
  if (!pre.met) return { result: true, comment: 'No changes: none of the prereq states would change', changes: [] };

  let facts: unknown;
  let plan: Change[];
  try {
    ({ facts, plan } = await gatherPlan(chunk, env, log, false, pending));
  } catch (e) {
    // dry run: only a fact a pending upstream state may create is deferred (deferral.ts)
    const by = env.test ? deferTo(chunk, e, env.byKey, env.results, env.after) : null;
    if (by) return { result: null, comment: `would change after ${by}`, changes: [], data: { deferred: oneLine(e) } };
    throw e;
  }
  const fn = chunk.fn;
  const verb = fn.refresh ? (fn.refreshVerb?.(chunk.args) ?? 'run') : null;
  // a watch refreshes unless the planned changes already restart/re-run the thing
  const refreshDue = !!(g.watchTriggered && verb && !(fn.refreshCoveredBy ? fn.refreshCoveredBy(plan, chunk.args) : plan.length > 0));

  if (env.test) {
    if (plan.length && refreshDue) {
      return {
        result: null,
        comment: `would change (${plan.length}) and ${verb} (watched ${g.watchTriggered} would change)`,
        changes: [...plan, { op: 'run', target: chunk.name, after: verb! }],
      };
    }
    if (plan.length) return { result: null, comment: `would change (${plan.length})${pending ? ` after ${pending}` : ''}`, changes: plan };
    if (refreshDue) {
      return {
        result: null,
        comment: `would ${verb} (watched ${g.watchTriggered} would change)`,
        changes: [{ op: 'run', target: chunk.name, after: verb }],
      };
    }
    return { result: true, comment: log.info.join('; ') || 'Already in the desired state', changes: [] };
  }

  let result = true;
  let comment = '';
  let data: Record<string, unknown> | undefined;
  const changes: Change[] = [];
  const tog = plan.length && env.together ? await env.together(chunk, plan, log) : { kind: 'alone' as const };
  if (tog.kind === 'fallback') ({ facts, plan } = await gatherPlan(chunk, env, log, true));
  if (tog.kind === 'done' || plan.length) {
    // applied with other states in one call (aggregation), or on its own, then verified
    let out: ApplyOutput | void;
    let again: Change[] | undefined;
    if (tog.kind === 'done') ({ plan, out, again } = tog);
    else {
      env.markApplying();
      out = await fn.apply(env.host, plan, { ...makeCtx(chunk, env, log), facts });
    }
    changes.push(...plan);
    if (out?.result === false) result = false;
    if (out?.comment) comment = out.comment;
    if (out?.data) data = { ...out.data };
    if (result) {
      again ??= (await gatherPlan(chunk, env, { info: [], warn: [] }, true)).plan.filter((c) => c.op !== 'run');
      if (again.length) return { result: false, comment: `did not converge: still to change: ${targetsOf(again)}`, changes, data };
    }
  }
  if (result && refreshDue && fn.refresh) {
    env.markApplying();
    const out = await fn.refresh(env.host, chunk.args, makeCtx(chunk, env, log));
    changes.push({ op: 'run', target: chunk.name, after: verb ?? 'run' });
    if (out?.result === false) result = false;
    const said = out?.comment || `${verb} (watched ${g.watchTriggered} changed)`;
    comment = comment ? `${comment}; ${said}` : said;
    if (out?.data) data = { ...data, ...out.data };
  }
  if (!comment) comment = changes.length ? `${changes.length} change(s) made` : log.info.join('; ') || 'Already in the desired state';
  return { result, comment, changes, data };
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
  const res = blank(chunk, env.nextRunNum(), started);
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
  const { notRun: _notRun, ...out } = o;
  Object.assign(res, out, { changes: [...changes, ...o.changes] });
  if (earlier.length) res.comment = [...earlier, `attempt ${earlier.length + 1} of ${retry!.attempts}: ${o.comment}`].join('; ');
  if (log.warn.length) res.warnings = log.warn;
  res.durationMs = Date.now() - started;
  return res;
}

export { changed };
