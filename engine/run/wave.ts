// Waves: a real run in Salt's order over a transport with Host.applyOps (SSH) applies a state and
// the states declared right after it in ONE batch, when nothing needs an answer from the host in
// between: their facts in one read per function, their applies recorded (RecordingHost) and made
// by one applyOps call (the files in one stream), verified by one read per function. The order is
// the declaration order, so the run does what it does one state at a time; only the round trips
// go. A wave takes the states that follow the leader while each
//   - has a function with `wave` and no prereq, retry, parallel, failhard; no onlyif/unless/creates
//     unless its function runs commands (`wave.commands`: cmd.run);
//   - has every requisite finished before the wave (its gate: run, no watch refresh);
//   - plans without error, and touches no path an earlier member touches (StateFunction.wave.paths);
//   - applies without asking the host anything (else NotBatchable: it applies on its own).
// A state that runs commands joins only when no earlier member changed anything (their verifying
// read comes after the wave: a command must not run before it), and only such states follow it (the
// others' facts were read before the wave: a command may change anything). Its guards go into its
// ops (a `guard` op, evaluated on the target at its turn, after the earlier members' commands),
// unless they are known already (read with the facts, nothing changed since); its result is made
// from its commands' answers (wave.commands.output), as its apply would have made it.
// A member whose ops fail is failed with the error (the rest of its ops were not run); the others
// go on, as they would one by one (none requires another: requisites end a wave).
// The verifying read of a wave also reads the facts of the states that may form the next wave (in
// the same round trip, after the wave's ops: a command of the wave has run by then); they serve that
// wave if nothing has changed on the host in between.
import type { ApplyOutput, Change, StateFunction } from '../../engine/contract.js';
import type { ExecAnswer, HostOp, HostOpsResult } from '../host/host.js';
import type { Chunk, CompiledRun } from '../compile/types.js';
import { guardsOf, hasGuards, knownConditions, skipComment } from './conditions.js';
import { type CtxLog, makeCtx } from './ctx.js';
import { oneLine } from './errors.js';
import type { ExecEnv } from './execute.js';
import { type Outcome, stateResult } from './result.js';
import { gate } from './requisite-check.js';
import { NotBatchable, RecordingHost } from './wave-host.js';
import type { StateResult } from './types.js';

const MAX_MEMBERS = 1000;
const MAX_BYTES = 64 * 1024 * 1024;

/** The paths an op may create, change or remove (an exec's absolute-path arguments). */
function opPaths(op: HostOp): string[] {
  switch (op.op) {
    case 'write':
    case 'mkdir':
    case 'remove':
      return [op.path];
    case 'rename':
      return [op.from, op.to];
    case 'exec':
      return op.argv.filter((a) => a.startsWith('/'));
    case 'guard':
      return [];
  }
}

/** A state's command or guard: it may change (or read) anything. */
const opaque = (op: HostOp): boolean => op.op === 'guard' || (op.op === 'exec' && !!op.output);

interface Member {
  c: Chunk;
  log: CtxLog;
  facts: unknown;
  plan: Change[];
  ops: HostOp[];
  out?: ApplyOutput | void;
  /** A guard skipped it: the comment. */
  skip?: string;
  /** Its commands ran (their time on the target). */
  ran?: number;
}

/** a and b are the same path, or one is under the other. */
export const overlaps = (a: string, b: string): boolean =>
  a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`) || b.startsWith(a.endsWith('/') ? a : `${a}/`);

export interface WaveOptions {
  enabled: boolean;
  /** The state has finished (or was skipped) in this run. */
  done(key: string): boolean;
  /** Another mechanism (aggregation) has claimed the state. */
  claimed(key: string): boolean;
  /** The states that apply with the leader, about to start (the leader itself has been told). */
  joined?(members: Chunk[]): void;
}

export class Waves {
  private readonly results = new Map<string, StateResult>();
  /** Facts read ahead for the next wave, with the change count they were read at. */
  private readonly ahead = new Map<string, { facts: unknown; at: number }>();
  /** Round trips and members of the waves so far (debug output). */
  readonly stats = { waves: 0, members: 0 };

  constructor(
    private readonly compiled: CompiledRun,
    private readonly env: ExecEnv,
    private readonly o: WaveOptions,
  ) {}

  /** A result made by an earlier wave (the runner reports it when it reaches the state). */
  has(key: string): boolean {
    return this.results.has(key);
  }

  take(key: string): StateResult | undefined {
    const r = this.results.get(key);
    this.results.delete(key);
    return r;
  }

  private static fits(c: Chunk): boolean {
    const m = c.meta;
    return (
      !!c.fn.wave &&
      (!!c.fn.wave.commands || !hasGuards(c)) &&
      !m.retry &&
      !m.parallel &&
      !m.failhard &&
      !c.requisites.some((r) => r.kind === 'prereq')
    );
  }

  /** Whether c may join a wave now: its requisites all finished, and they let it run as usual. */
  private ready(c: Chunk): boolean {
    if (!Waves.fits(c) || this.o.claimed(c.key) || this.o.done(c.key)) return false;
    for (const k of this.compiled.after.get(c.key) ?? []) if (!this.o.done(k)) return false;
    const g = gate(c, this.env.results);
    return g.run && !g.watchTriggered;
  }

  /** At `c`, about to run: applies it with the states after it, or undefined (c runs on its own). */
  async lead(c: Chunk): Promise<StateResult | undefined> {
    if (!this.o.enabled || this.env.test || !this.env.host.applyOps || !this.ready(c)) return undefined;
    const chunks = this.compiled.chunks;
    const at = chunks.indexOf(c);
    // the runner is at c in declaration order: everything before it has finished
    for (let i = 0; i < at; i++) if (!this.o.done(chunks[i]!.key)) return undefined;
    const cands: Chunk[] = [c];
    for (let i = at + 1; i < chunks.length && cands.length < MAX_MEMBERS; i++) {
      const d = chunks[i]!;
      if (this.o.done(d.key)) continue;
      if (!this.ready(d)) break;
      cands.push(d);
    }

    const started = Date.now();
    let facts: unknown[];
    try {
      facts = await this.gather(cands);
    } catch (e) {
      this.env.debug?.(`wave at ${c.module}: ${c.id}: reading the facts failed, one at a time: ${oneLine(e)}`);
      return undefined;
    }
    const members = await this.compose(cands, facts);
    // the candidates left out run on their own: their facts serve them while nothing has changed
    cands.forEach((d, i) => {
      if (!members.some((m) => m.c === d)) this.env.returnFacts?.(d, facts[i]);
    });
    if (!members.length) return undefined;

    this.o.joined?.(members.filter((m) => m.c !== c).map((m) => m.c));
    const withOps = members.filter((m) => m.ops.length);
    let done: HostOpsResult[] = [];
    if (withOps.length) {
      const ops = withOps.flatMap((m) => m.ops);
      // a command may change anything: guards and facts read before are no longer known
      if (this.env.markTouched && !ops.some(opaque)) this.env.markTouched(ops.flatMap(opPaths));
      else this.env.markApplying();
      try {
        done = await this.env.host.applyOps!(withOps.map((m) => m.ops));
      } catch (e) {
        done = withOps.map((m) => ({ ok: false, op: m.ops[0]!, error: oneLine(e) }));
      }
    }
    const failed = new Map<Member, string>();
    withOps.forEach((m, i) => {
      const r = done[i]!;
      if (!r.ok) failed.set(m, r.error);
      else if (r.skipped) m.skip = skipComment(m.c, r.skipped);
      else this.answered(m, r.outputs ?? []);
    });
    const [again] = await Promise.all([
      this.verify(withOps.filter((m) => !failed.has(m) && !m.skip && m.out?.result !== false)),
      withOps.length ? this.readAhead(members.at(-1)!.c) : undefined,
    ]);

    const each = Math.round((Date.now() - started) / members.length);
    this.stats.waves++;
    this.stats.members += members.length;
    this.env.debug?.(
      `wave at ${c.module}: ${c.id}: ${members.length} states, ${withOps.length} with changes, in one batch`,
    );
    let own: StateResult | undefined;
    for (const m of members) {
      const r = this.result(m, failed.get(m), again.get(m), started, m.ran ?? each);
      if (m.c === c) own = { ...r, runNum: this.env.nextRunNum() };
      else this.results.set(m.c.key, r);
    }
    return own;
  }

  /**
   * Reads the facts of the states after `last` that may lead or join the next wave (the run's
   * changes so far applied). Not when a `parallel: True` state may be applying meanwhile.
   */
  private async readAhead(last: Chunk): Promise<void> {
    const chunks = this.compiled.chunks;
    if (!this.env.changeCount || chunks.some((d) => d.meta.parallel)) return;
    const next: Chunk[] = [];
    for (let i = chunks.indexOf(last) + 1; i < chunks.length && next.length < MAX_MEMBERS; i++) {
      const d = chunks[i]!;
      if (this.o.done(d.key) || this.results.has(d.key)) continue;
      if (!Waves.fits(d) || this.o.claimed(d.key)) break;
      next.push(d);
    }
    if (next.length < 2) return;
    const at = this.env.changeCount();
    try {
      const facts = await this.gather(next);
      next.forEach((d, i) => this.ahead.set(d.key, { facts: facts[i], at }));
    } catch (e) {
      this.env.debug?.(`reading ahead after ${last.module}: ${last.id} failed: ${oneLine(e)}`);
    }
  }

  /** Facts for the candidates: one gatherMany per function (prefetched ones while still valid). */
  private async gather(cands: Chunk[]): Promise<unknown[]> {
    const out = new Array<unknown>(cands.length);
    const byFn = new Map<StateFunction, number[]>();
    cands.forEach((ch, i) => {
      const early = this.ahead.get(ch.key);
      this.ahead.delete(ch.key);
      const pre = early && early.at === this.env.changeCount?.() ? early : this.env.takeFacts(ch);
      if (pre) out[i] = pre.facts;
      else byFn.set(ch.fn, [...(byFn.get(ch.fn) ?? []), i]);
    });
    await Promise.all(
      [...byFn].map(async ([fn, idx]) => {
        const items = idx.map((i) => ({
          args: cands[i]!.args,
          ctx: makeCtx(cands[i]!, this.env, { info: [], warn: [] }),
        }));
        const got = fn.gatherMany
          ? await fn.gatherMany(this.env.host, items)
          : await Promise.all(items.map((it) => fn.gather(this.env.host, it.args, it.ctx)));
        if (got.length !== idx.length)
          throw new Error(`gatherMany returned ${got.length} facts for ${idx.length} states`);
        idx.forEach((i, n) => (out[i] = got[n]));
      }),
    );
    return out;
  }

  /** Plans and records the members in order; the wave ends at the first that cannot join. */
  private async compose(cands: Chunk[], facts: unknown[]): Promise<Member[]> {
    const members: Member[] = [];
    const touched: string[] = [];
    let bytes = 0;
    // an earlier member has changes (verified after the wave) / runs commands or guards here
    let changes = false;
    let commands = false;
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i]!;
      const runs = !!c.fn.wave!.commands;
      if (runs ? changes && !commands : commands) break;
      const log: CtxLog = { info: [], warn: [] };
      let plan: Change[];
      let paths: string[];
      try {
        plan = c.fn.plan(c.args, facts[i], makeCtx(c, this.env, log));
        paths = c.fn.wave!.paths(c.args, facts[i]);
      } catch {
        break; // it fails on its own, as it would without waves
      }
      if (paths.some((p) => touched.some((t) => overlaps(p, t)))) break;
      const m: Member = { c, log, facts: facts[i], plan, ops: [] };
      const guards: HostOp[] = [];
      if (runs && hasGuards(c)) {
        // known (read with the facts) while nothing has changed, else evaluated at its turn
        const known = changes ? undefined : await knownConditions(c, this.env.knownExists, this.env.knownGuard);
        if (known) {
          members.push({ ...m, skip: known });
          continue;
        }
        if (known === undefined) guards.push({ op: 'guard', ...guardsOf(c) });
      }
      if (plan.length) {
        const rec = new RecordingHost(this.env.host, runs);
        try {
          // the apply only records (a read throws NotBatchable)
          m.out = await c.fn.apply(rec, plan, { ...makeCtx(c, this.env, log), facts: facts[i] });
        } catch (e) {
          if (!(e instanceof NotBatchable)) this.env.debug?.(`${c.module}: ${c.id}: applies on its own: ${oneLine(e)}`);
          break;
        }
        if (bytes + rec.bytes > MAX_BYTES && members.length) break;
        bytes += rec.bytes;
        m.ops = rec.ops;
      }
      m.ops = [...guards, ...m.ops];
      if (m.ops.length) {
        changes = true;
        commands ||= runs;
      }
      touched.push(...paths);
      members.push(m);
    }
    return members;
  }

  /** A member that runs commands: its apply's result made from their answers. */
  private answered(m: Member, outputs: ExecAnswer[]): void {
    const cmds = m.c.fn.wave?.commands;
    if (!cmds || !m.plan.length) return;
    if (!outputs.length) {
      m.out = { result: false, comment: 'the batch gave no answer for its command' };
      return;
    }
    m.ran = outputs.reduce((n, o) => n + o.durationMs, 0);
    try {
      m.out = cmds.output(m.c.args, outputs);
    } catch (e) {
      m.out = { result: false, comment: oneLine(e) };
    }
  }

  /** One fresh read per function for the members that applied: what is still to change. */
  private async verify(ms: Member[]): Promise<Map<Member, Change[] | string>> {
    const out = new Map<Member, Change[] | string>();
    if (!ms.length) return out;
    let facts: unknown[];
    try {
      facts = await this.gather(ms.map((m) => m.c));
    } catch (e) {
      for (const m of ms) out.set(m, `verifying after the batch failed: ${oneLine(e)}`);
      return out;
    }
    ms.forEach((m, i) => {
      try {
        out.set(
          m,
          m.c.fn.plan(m.c.args, facts[i], makeCtx(m.c, this.env, { info: [], warn: [] })).filter((x) => x.op !== 'run'),
        );
      } catch (e) {
        out.set(m, oneLine(e));
      }
    });
    return out;
  }

  private result(
    m: Member,
    error: string | undefined,
    again: Change[] | string | undefined,
    started: number,
    ms: number,
  ): StateResult {
    return stateResult(m.c, this.outcome(m, error, again), {
      started,
      runNum: 0,
      durationMs: ms,
      warnings: [...(m.c.meta.inert ?? []), ...m.log.warn],
    });
  }

  /** What a wave member's apply came to (the same outcomes as execute.ts's applyPlan). */
  private outcome(m: Member, error: string | undefined, again: Change[] | string | undefined): Outcome {
    if (m.skip !== undefined) return { result: true, comment: m.skip, changes: [] };
    if (error === undefined && !m.plan.length)
      return { result: true, comment: m.log.info.join('; ') || 'Already in the desired state', changes: [] };
    if (error !== undefined) return { result: false, comment: error, changes: [] };
    const done: Outcome = {
      result: true,
      comment: '',
      changes: m.plan,
      ...(m.out?.data ? { data: { ...m.out.data } } : {}),
    };
    if (m.out?.result === false)
      return { ...done, result: false, comment: m.out.comment || `${m.plan.length} change(s) made` };
    if (typeof again === 'string') return { ...done, result: false, comment: again };
    if (again?.length) {
      const still = [...new Set(again.map((x) => x.target))].join(', ');
      return { ...done, result: false, comment: `did not converge: still to change: ${still}` };
    }
    return { ...done, comment: m.out?.comment || `${m.plan.length} change(s) made` };
  }
}
