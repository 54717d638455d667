// Walks the compiled DAG in Salt's order: one state at a time in declaration (order) order, a
// state's requisites first (Salt's state_auto_order), `parallel: True` states started alongside;
// or, when the user asks (--concurrency N > 1), every state no requisite orders in parallel,
// bounded (p-queue). Per-host locks (dpkg), failhard, listen at the end; results come back in
// declaration order whatever the execution order.
import PQueue from 'p-queue';
import type { Host } from '../host/host.js';
import type { Chunk, CompiledRun } from '../compile/types.js';
import type { ContentView } from '../contract.js';
import { makeCtx, type TemplateRenderer } from './ctx.js';
import { changed, type ExecEnv, executeChunk } from './execute.js';
import { prefetchFacts } from './facts.js';
import { Aggregator, applyTogether } from './aggregate.js';
import { knownGuards, prefetchCreates, prefetchGuards } from './conditions.js';
import { ReadAhead } from './read-ahead.js';
import { oneLine } from './errors.js';
import { prepareChunks } from './prepare.js';
import { type Outcome, stateResult } from './result.js';
import { overlaps, Waves } from './wave.js';
import type { RunControl } from './control.js';
import type { RunReport, StateResult } from './types.js';
import type { PlanHooks } from './plan-hooks.js';
import { emit, type RunProgress } from './progress.js';

export interface RunOptions {
  host: Host;
  test: boolean;
  statesDir: string;
  /**
   * 1 (default): Salt's order, applies one after another (only `parallel: True` states alongside).
   * N > 1: states that no requisite orders run in parallel, at most N at once (declaration order
   * between them is not kept: for trees whose requisites say everything).
   */
  concurrency?: number;
  /** Stop scheduling after the first failure. */
  failhard?: boolean;
  /** Aggregate states whose function supports it (pkg.installed: one apt call); default true. */
  aggregate?: boolean;
  render?: TemplateRenderer;
  debug?: (msg: string) => void;
  /** Waves over SSH (a state and the ones after it applied in one batch, wave.ts); default true. */
  waves?: boolean;
  /** A stop from outside (signals): no new state starts after it. */
  control?: RunControl;
  /** The run's secrets and diff budget for the plans' content diffs (StateCtx.content). */
  content?: ContentView;
  /** Saved plans: prepared values in and out, facts out, the apply guard (plan-hooks.ts). */
  planHooks?: PlanHooks;
  /** Told the number of states, and each state's start and result (live views, log lines). */
  progress?: RunProgress;
}

export async function runCompiled(compiled: CompiledRun, o: RunOptions): Promise<RunReport> {
  const t0 = Date.now();
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const locks = new Map<string, PQueue>();
  const results = new Map<string, StateResult>();
  let applying = false;
  // what has changed so far: anything (a state applied on its own), or only these paths (waves)
  let opaque = false;
  const touched: string[] = [];
  let changes = 0;
  let runNum = 0;
  let aborted: string | undefined;

  // compile phase, part two: sources read and templates rendered before anything changes
  emit(o.progress, 'planned', compiled.chunks.length);
  const prepared = o.planHooks?.prepared ?? (await prepareChunks(compiled.chunks, { ...o, byKey: compiled.byKey }));
  o.planHooks?.onPrepared?.(prepared);
  emit(o.progress, 'phase', 'reading facts');
  const agg = new Aggregator(compiled, { enabled: o.aggregate !== false, test: o.test, aborted: () => !!aborted });
  const batchedFacts = prefetchFacts(compiled.chunks, { ...o, prepared }, (c) => agg.mayAbsorb(c));
  const knownCreates = prefetchCreates(compiled.chunks, o.host);
  const guardCodes = prefetchGuards(compiled.chunks, o.host);
  // a dry run's other reads go alongside the batched ones (read-ahead.ts); nothing is applied in it,
  // so the guards read with the facts hold for the whole run
  const ahead = o.test
    ? new ReadAhead(
        compiled.chunks,
        { ...o, prepared, byKey: compiled.byKey },
        Promise.all([knownCreates, guardCodes]).then(([m, g]) => ({
          exists: (p: string) => m.get(p),
          guard: knownGuards(g, () => true),
        })),
        (c) => !!c.fn.gatherMany,
      )
    : undefined;
  const [facts, creates, guards] = await Promise.all([batchedFacts, knownCreates, guardCodes]);
  const env: ExecEnv = {
    host: o.host,
    test: o.test,
    statesDir: o.statesDir,
    render: o.render,
    debug: o.debug,
    prepared,
    content: o.content,
    planHooks: o.planHooks,
    results,
    byKey: compiled.byKey,
    after: compiled.after,
    takeFacts(c) {
      if (applying || !facts.has(c.key)) return undefined;
      const f = facts.get(c.key);
      facts.delete(c.key);
      return { facts: f };
    },
    returnFacts(c, f) {
      if (!applying) facts.set(c.key, f);
    },
    knownExists: (p) => (opaque || touched.some((t) => overlaps(p, t)) ? undefined : creates.get(p)),
    // a guard may read anything: its batched exit code holds only while nothing has changed
    knownGuard: knownGuards(guards, () => !applying),
    markApplying() {
      applying = true;
      opaque = true;
      changes++;
    },
    markTouched(paths) {
      applying = true;
      touched.push(...paths);
      changes++;
    },
    changeCount: () => changes,
    nextRunNum: () => runNum++,
    together: (c, plan, log) => applyTogether(c, plan, env, log, agg),
    ahead,
  };

  const lockFor = (key: string): PQueue => {
    let q = locks.get(key);
    if (!q) locks.set(key, (q = new PQueue({ concurrency: 1 })));
    return q;
  };

  const stopped = (): boolean => !!o.control?.stopped;
  const done = new Set<string>();
  const began = (c: Chunk) =>
    emit(o.progress, 'started', { key: c.key, id: c.id, name: c.name, module: c.module, fun: c.fun });
  const waves = new Waves(compiled, env, {
    // a saved plan's apply checks every state against the plan right before it applies (plan-hooks.ts)
    enabled: o.waves !== false && !o.test && !o.failhard && concurrency === 1 && !o.planHooks?.guard,
    done: (k) => done.has(k),
    claimed: (k) => !!agg.claimOf(k),
    // the members run in the leader's script: the views show them running from now on
    joined: (cs) => {
      for (const c of cs) began(c);
    },
  });
  // after a failhard abort or a stop, only what another state's apply already did on a state's behalf is reported
  const skip = (c: Chunk) => (!!aborted || stopped()) && !agg.claimOf(c.key) && !waves.has(c.key);
  const runOne = async (c: Chunk): Promise<void> => {
    try {
      await runChunk(c);
    } finally {
      done.add(c.key);
    }
  };
  const runChunk = async (c: Chunk): Promise<void> => {
    if (skip(c)) return;
    const exec = async (): Promise<StateResult | undefined> => {
      // absorbed into another state's apply, or applied in a wave: report what was done on its
      // behalf (even after a failhard abort: the change was made)
      const claim = agg.claimOf(c.key);
      const absorbed = claim && (await claim);
      if (absorbed) return { ...absorbed, runNum: env.nextRunNum() };
      const inWave = waves.take(c.key);
      if (inWave) return { ...inWave, runNum: env.nextRunNum() };
      if (aborted || stopped()) return undefined;
      agg.markStarted(c.key);
      began(c);
      return (await waves.lead(c)) ?? executeChunk(c, env);
    };
    const r = c.fn.lock ? await lockFor(c.fn.lock).add(exec) : await exec();
    if (!r) return;
    results.set(c.key, r);
    emit(o.progress, 'finished', r);
    if (r.result === false && (o.failhard || c.meta.failhard) && !aborted) aborted = `${c.module}: ${c.id}`;
  };

  const report = (): RunReport => ({
    host: o.host.name,
    test: o.test,
    results: compiled.chunks.map((c) => results.get(c.key)).filter((r): r is StateResult => !!r),
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    ...(aborted ? { aborted } : {}),
    ...(o.control?.stopped ? { interrupted: o.control.stopped } : {}),
  });
  const untrack = o.control?.track(report);
  try {
    if (concurrency > 1) await runParallel(compiled, concurrency, runOne, skip);
    else await runInOrder(compiled, runOne, skip);
  } finally {
    ahead?.stop();
    untrack?.();
  }

  // listen / listen_in: at the end of the run, refresh listeners whose targets changed.
  const listened: StateResult[] = [];
  if (!aborted && !stopped()) {
    for (const c of compiled.chunks) {
      const reqs = c.requisites.filter((r) => r.kind === 'listen');
      const own = results.get(c.key);
      if (!reqs.length || !own || own.result === false || !c.fn.refresh) continue;
      const trigger = reqs
        .flatMap((r) => r.targets)
        .map((k) => results.get(k))
        .find((r) => r && changed(r));
      if (!trigger) continue;
      listened.push(await runListener(c, trigger, env, o.test));
    }
  }

  const ordered = compiled.chunks.map((c) => results.get(c.key)).filter((r): r is StateResult => !!r);
  return {
    host: o.host.name,
    test: o.test,
    results: [...ordered, ...listened],
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    aborted,
    ...(o.control?.stopped ? { interrupted: o.control.stopped } : {}),
  };
}

/** Salt's order: declaration order, requisites first; `parallel: True` states do not hold the run up. */
async function runInOrder(
  compiled: CompiledRun,
  runOne: (c: Chunk) => Promise<void>,
  skip: (c: Chunk) => boolean,
): Promise<void> {
  const pos = new Map(compiled.chunks.map((c, i) => [c.key, i]));
  const finished = new Map<string, Promise<void>>();
  const start = async (c: Chunk): Promise<void> => {
    if (finished.has(c.key)) return;
    const preds = [...(compiled.after.get(c.key) ?? [])].sort((a, b) => pos.get(a)! - pos.get(b)!);
    for (const k of preds) {
      await start(compiled.byKey.get(k)!);
      await finished.get(k);
    }
    if (finished.has(c.key)) return; // started while its requisites ran (it was one of theirs too)
    const p = skip(c) ? Promise.resolve() : runOne(c);
    finished.set(c.key, p);
    if (!c.meta.parallel) await p;
  };
  for (const c of compiled.chunks) await start(c);
  await Promise.all(finished.values());
}

/** --concurrency N > 1: every state starts when its requisites are done, at most N at once. */
async function runParallel(
  compiled: CompiledRun,
  concurrency: number,
  runOne: (c: Chunk) => Promise<void>,
  skip: (c: Chunk) => boolean,
): Promise<void> {
  const queue = new PQueue({ concurrency });
  const done = new Map<string, Promise<void>>();
  const schedule = (c: Chunk): Promise<void> => {
    let p = done.get(c.key);
    if (p) return p;
    const preds = [...(compiled.after.get(c.key) ?? [])].map((k) => schedule(compiled.byKey.get(k)!));
    p = Promise.all(preds).then(() => (skip(c) ? undefined : queue.add(() => runOne(c))));
    done.set(c.key, p);
    return p;
  };
  await Promise.all(compiled.chunks.map(schedule));
}

async function runListener(c: Chunk, trigger: StateResult, env: ExecEnv, test: boolean): Promise<StateResult> {
  const started = Date.now();
  const runNum = env.nextRunNum();
  const verb = c.fn.refreshVerb?.(c.args) ?? 'run';
  const by = `${trigger.module}: ${trigger.id}`;
  const o: Outcome = {
    result: test ? null : true,
    comment: test ? `would ${verb} (listening to ${by})` : `${verb} (listened ${by} changed)`,
    changes: [{ op: 'run', target: c.name, after: verb }],
  };
  if (!test) {
    try {
      const out = await c.fn.refresh!(env.host, c.args, makeCtx(c, env, { info: [], warn: [] }));
      if (out?.result === false) o.result = false;
      if (out?.comment) o.comment = out.comment;
      if (out?.data) o.data = out.data;
    } catch (e) {
      o.result = false;
      o.comment = oneLine(e);
    }
  }
  return stateResult(c, o, { started, runNum, as: { keySuffix: '_|-listen', fun: 'mod_watch' } });
}
