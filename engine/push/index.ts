// `brine push`: the same states applied to many hosts over SSH, in parallel (p-queue), each host's
// report printed whole as it finishes, then a summary table. One host never stops the others;
// with --batch the hosts go batch after batch and too many failures stop the rollout.
import type { StateRegistry } from '../contract.js';
import type { SshOptions } from '../host/ssh.js';
import type { Redactor } from '../redact.js';
import { formatReport, toJson, withSafeDiffs, type OutFormat } from '../report/index.js';
import { formatMarkdownHosts } from '../report/markdown.js';
import type { PushTarget } from './inventory.js';
import type { LockOptions } from '../host/run-lock.js';
import { stopExitCode, type RunControl } from '../run/control.js';
import { pushHostWithProgress, type HostOutcome } from './push-host.js';
import { formatRolloutStop, formatSummaryTable, pushExitCode } from './summary.js';
import type { ProgressView } from '../progress/types.js';
import { batchSize, failBudget, type Amount } from './batches.js';
import { rollout, type RolloutStop } from './rollout.js';

export { loadInventory, parseInventory, resolveTargets, type Inventory, type PushTarget } from './inventory.js';
export type { HostOutcome } from './push-host.js';
export { formatSummaryTable, pushExitCode, ROLLOUT_STOPPED } from './summary.js';
export { parseAmount, type Amount } from './batches.js';
export type { RolloutStop } from './rollout.js';

export interface PushOptions {
  targets: PushTarget[];
  statesDir: string;
  /** The state modules (modules/index.ts `registry`). */
  registry: StateRegistry;
  pillarDir: string;
  envFile?: string;
  /** `pillar='{...}'` / --pillar-override: merged over every host's pillar, winning. */
  pillarOverride?: Record<string, unknown>;
  test: boolean;
  sls?: string[];
  parallel: number;
  concurrency?: number;
  /** false: one apply per state (no pkg aggregation). */
  aggregate?: boolean;
  ssh: SshOptions;
  out: OutFormat;
  color: boolean;
  redactor: Redactor;
  write: (text: string) => void;
  /** The run lock per host (see engine/host/run-lock.ts). */
  lock?: LockOptions;
  /** Stops every host's run from outside (signals). */
  control?: RunControl;
  /** One-line notices for the operator, prefixed with the host's label (temp files removed...). */
  notice?: (msg: string) => void;
  /** --batch: hosts per batch (default: all in one). */
  batch?: Amount;
  /** --max-fail: failed hosts tolerated before no further batch starts (default: no limit). */
  maxFail?: Amount;
  /** --batch-wait: seconds between the end of a batch and the start of the next (Salt's --batch-wait). */
  batchWaitS?: number;
  /** Told each host's phases, states and end (engine/progress). */
  progress?: ProgressView;
}

export interface PushResult {
  outcomes: HostOutcome[];
  /** 130/143 when a signal stopped the push (as the process exits), else pushExitCode's. */
  exitCode: number;
  /** Set when the rollout stopped before its last batch. */
  stop?: RolloutStop;
}

export function hostBlock(h: HostOutcome, o: Pick<PushOptions, 'out' | 'color' | 'redactor'>): string {
  const label = `${h.label}${h.host && h.host !== h.label ? ` (${h.host})` : ''}`;
  const title = `=== ${label} ===\n${h.warning ? `warning: ${h.warning}\n` : ''}`;
  if (!h.report) return `${title}${h.status}: ${h.error ?? ''}\n`;
  const body = formatReport(h.report, o.out === 'json' ? 'highstate' : o.out, { color: o.color, redactor: o.redactor });
  return `${title}${body}`;
}

/** --out markdown: one review comment for every host (report/markdown.ts), redacted like the rest. */
export function markdownHosts(
  outcomes: HostOutcome[],
  o: Pick<PushOptions, 'redactor' | 'test'> & { stopped?: string },
  notes = new Map<string, string>(),
) {
  const hosts = outcomes.map((h) => ({
    label: h.label,
    ...(h.host ? { address: h.host } : {}),
    status: h.status,
    ...(h.error ? { error: h.error } : {}),
    ...(h.warning ? { warning: h.warning } : {}),
    ...(h.report ? { report: o.redactor.redactDeep(withSafeDiffs(h.report, o.redactor)) } : {}),
    ...(notes.has(h.label) ? { note: notes.get(h.label)! } : {}),
  }));
  const stopped = o.stopped ? { stopped: o.stopped } : {};
  return o.redactor.redact(formatMarkdownHosts(hosts, { test: o.test, ...stopped }));
}

const failedHost = (h: HostOutcome) => h.status === 'failed' || h.status === 'unreachable' || h.status === 'error';

/** One host of `--out json` (push and saved plans' push): its outcome and its redacted report. */
export function hostJson(h: HostOutcome, redactor: Redactor) {
  return {
    host: h.label,
    address: h.host ?? null,
    status: h.status,
    durationMs: h.durationMs,
    roundTrips: h.roundTrips ?? null,
    error: h.error ?? null,
    ...(h.warning ? { warning: h.warning } : {}),
    report: h.report ? toJson(redactor.redactDeep(withSafeDiffs(h.report, redactor))) : null,
  };
}

/** --batch-wait: the pause before the next batch; a stop signal ends it at once. */
function batchWait(s: number, next: number, of: number, o: Pick<PushOptions, 'notice' | 'control'>): Promise<void> {
  o.notice?.(`waiting ${s}s before batch ${next + 1} of ${of} (--batch-wait)`);
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, s * 1000);
    o.control?.onStop(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function push(o: PushOptions): Promise<PushResult> {
  const total = o.targets.length;
  const size = o.batch ? batchSize(o.batch, total) : total;
  const budget = o.maxFail ? failBudget(o.maxFail, total) : Infinity;
  const batches = Math.ceil(total / Math.max(1, size));
  const { results, stop } = await rollout({
    items: o.targets,
    batchSize: size,
    parallel: o.parallel,
    budget,
    label: (t) => t.label,
    failed: failedHost,
    stopped: () => !!o.control?.stopped,
    onBatch: (i, n, items) => {
      if (n > 1) o.notice?.(`batch ${i + 1} of ${n}: ${items.map((t) => t.label).join(', ')}`);
    },
    ...(o.batchWaitS ? { between: (next, n) => batchWait(o.batchWaitS!, next, n, o) } : {}),
    run: async (t) => {
      const h = await pushHostWithProgress(t, o, o.progress?.host(t.label));
      if (o.out === 'highstate') o.write(hostBlock(h, o));
      return h;
    },
  });
  const skipped: HostOutcome[] = (stop?.notStarted ?? []).map((label) => {
    const why = stop!.reason === 'budget' ? 'the rollout stopped' : `stopped by ${o.control?.stopped ?? 'a signal'}`;
    o.progress?.skipped(label, why);
    return { label, status: 'skipped', error: `not started: ${why}`, durationMs: 0 };
  });
  const outcomes = [...results, ...skipped];
  const signal = o.control?.stopped;
  const exitCode = signal ? stopExitCode(signal) : pushExitCode(outcomes, stop);
  if (o.out === 'json') {
    const doc = {
      exitCode,
      ...(o.batch || o.maxFail
        ? {
            rollout: {
              batchSize: size,
              batches,
              batchesRun: stop?.batchesRun ?? batches,
              maxFail: Number.isFinite(budget) ? budget : null,
              failures: results.filter(failedHost).length,
              stopped: stop ? stop.reason : null,
              notStarted: stop?.notStarted ?? [],
            },
          }
        : {}),
      hosts: outcomes.map((h) => hostJson(h, o.redactor)),
    };
    o.write(o.redactor.redact(`${JSON.stringify(doc, null, 2)}\n`));
  } else if (o.out === 'markdown') {
    const why = stop ? formatRolloutStop(stop, outcomes).trim().replace('\nnot started:', '; not started:') : undefined;
    o.write(markdownHosts(outcomes as HostOutcome[], { ...o, ...(why ? { stopped: why } : {}) }));
  } else {
    o.write(o.redactor.redact(formatSummaryTable(outcomes) + (stop ? formatRolloutStop(stop, outcomes) : '')));
  }
  return { outcomes, exitCode, ...(stop ? { stop } : {}) };
}
