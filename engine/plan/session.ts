// One host's saved-plan run: compile once, take the run lock once, then a dry run (recorded as a
// plan, or checked against a saved one) and, when it matches, the real run, still under the same
// lock and with the same compiled states and the same rendered contents (the dry run's prepared
// values are handed to the real run, not rendered again). Nothing of another brine run can come
// between the check and the apply; what a person or a timer does meanwhile is caught by the
// apply's guard (guard.ts), state by state.
import { randomBytes } from 'node:crypto';
import type { Host } from '../host/host.js';
import type { StateRegistry } from '../contract.js';
import { acquireRunLock, type LockOptions, type RunLock } from '../host/run-lock.js';
import { cleanStaleTemps } from '../host/temp-cleanup.js';
import { compileStatesOnTarget, execSession, registerSecretArgs, writeDirs, type CompiledStates } from '../pipeline.js';
import type { Redactor } from '../redact.js';
import { renderOnTarget, type ExecSession } from '../render/index.js';
import { contentView } from '../report/content-view.js';
import { runCompiled, type RunControl } from '../run/index.js';
import type { RunReport } from '../run/types.js';
import { planKeys, type PlanKeys } from './digest.js';
import { planGuard } from './guard.js';
import { overrideDigest } from './override.js';
import { recordHost } from './record.js';
import type { PlanHost } from './types.js';

export const newPlanId = (): string => randomBytes(16).toString('hex');

export interface PlanRunInput {
  host: Host;
  /** The state modules, handed in by the caller (bin, tests). */
  registry: StateRegistry;
  statesDir: string;
  pillar: Record<string, unknown>;
  grains: Record<string, unknown>;
  minionId: string;
  exec?: ExecSession;
  sls?: string[];
  concurrency?: number;
  aggregate?: boolean;
  redactor: Redactor;
  /** The host's secret values (pillar, env, inventory vars): they key the digests of secret content. */
  secrets: string[];
  lock?: LockOptions | false;
  /**
   * The run will apply (a saved plan's apply): the lock's command also sweeps the stale temp files
   * in the directories the states write to, in the same round trip (as a plain run does).
   */
  sweep?: boolean;
  control?: RunControl;
  notice?: (msg: string) => void;
  /** The command line's pillar override (already merged into `pillar`): the plan records its digest. */
  pillarOverride?: Record<string, unknown>;
  /** How the plan names the host: target label, address, root. */
  where?: { target?: string; address?: string; root?: string };
}

function secretArgValues(c: CompiledStates): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
  };
  for (const ch of c.compiled.chunks) for (const k of ch.fn.secretArgs ?? []) walk(ch.args[k]);
  return out;
}

export class PlanRun {
  private prepared = new Map<string, unknown>();
  private constructor(
    private o: PlanRunInput,
    private exec: ExecSession,
    readonly states: CompiledStates,
    private lock: RunLock | undefined,
    private sweptWithLock = false,
  ) {}

  /** Compiles (exit 3 on bad input, nothing locked) and takes the host's run lock. */
  static async open(o: PlanRunInput): Promise<PlanRun> {
    const exec = o.exec ?? execSession(o.host);
    const states = await compileStatesOnTarget({ ...o, exec });
    registerSecretArgs(states.compiled, o.redactor);
    const lockOptions = { ...(o.lock || { waitMs: 300_000 }), ...(o.control ? { control: o.control } : {}) };
    // paths a --root host resolves are swept by apply() with their own command
    const sweepDirs = o.sweep && !o.host.resolvePath ? writeDirs(states.compiled) : undefined;
    const lock = o.lock === false ? undefined : await acquireRunLock(o.host, lockOptions, sweepDirs);
    return new PlanRun(o, exec, states, lock, !!sweepDirs);
  }

  keys(planId: string): PlanKeys {
    return planKeys(planId, [...this.o.secrets, ...secretArgValues(this.states)], this.o.redactor);
  }

  private runOptions() {
    const { renderer } = this.states;
    return {
      host: this.o.host,
      statesDir: this.o.statesDir,
      concurrency: this.o.concurrency,
      aggregate: this.o.aggregate,
      control: this.o.control,
      content: contentView(this.o.redactor),
      render: (text: string, file: string, context?: Record<string, unknown>) =>
        renderOnTarget(this.exec, () => renderer.renderString(text, file, context)),
    };
  }

  /** The dry run, recorded as the plan's host entry (digests keyed for planId). */
  async dryRun(planId: string): Promise<{ report: RunReport; plan: PlanHost }> {
    const facts = new Map<string, unknown>();
    const report = await runCompiled(this.states.compiled, {
      ...this.runOptions(),
      test: true,
      planHooks: {
        onPrepared: (p) => (this.prepared = p),
        onFacts: (c, f) => facts.set(c.key, f),
      },
    });
    const { compiled } = this.states;
    const { prepared, o } = this;
    const keys = this.keys(planId);
    const input = { report, compiled, prepared, facts, keys, redactor: o.redactor };
    const recorded = recordHost(input, { host: this.o.minionId, ...this.o.where });
    const digest = overrideDigest(keys, o.pillarOverride);
    const { states, summary, ...where } = recorded;
    const plan = { ...where, ...(digest ? { pillarOverride: digest } : {}), states, summary };
    return { report, plan };
  }

  /** The real run of the checked plan: failhard, every state guarded against the saved entry. */
  async apply(saved: PlanHost, planId: string): Promise<RunReport> {
    if (this.lock) {
      const removed = this.sweptWithLock
        ? this.lock.removed
        : await cleanStaleTemps(this.o.host, writeDirs(this.states.compiled), this.lock.since);
      const some = `${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ', ...' : ''}`;
      if (removed.length) this.o.notice?.(`removed ${removed.length} temp file(s) an interrupted run left: ${some}`);
    }
    return runCompiled(this.states.compiled, {
      ...this.runOptions(),
      test: false,
      failhard: true,
      planHooks: {
        prepared: this.prepared,
        guard: planGuard(saved, this.keys(planId), this.o.redactor, this.states.compiled.after),
      },
    });
  }

  async close(): Promise<void> {
    await this.lock?.release();
    this.lock = undefined;
  }
}
