// `brine push`: the same states applied to many hosts over SSH, in parallel (p-queue), each host's
// report printed whole as it finishes, then a summary table. One host never stops the others.
import PQueue from 'p-queue';
import type { StateRegistry } from '../contract.js';
import type { SshOptions } from '../host/ssh.js';
import type { Redactor } from '../redact.js';
import { formatReport, toJson, withSafeDiffs, type OutFormat } from '../report/index.js';
import { formatMarkdownHosts } from '../report/markdown.js';
import type { PushTarget } from './inventory.js';
import type { LockOptions } from '../host/run-lock.js';
import type { RunControl } from '../run/control.js';
import { pushHost, type HostOutcome } from './push-host.js';
import { formatSummaryTable, pushExitCode } from './summary.js';

export { loadInventory, parseInventory, resolveTargets, type Inventory, type PushTarget } from './inventory.js';
export type { HostOutcome } from './push-host.js';
export { formatSummaryTable, pushExitCode } from './summary.js';

export interface PushOptions {
  targets: PushTarget[];
  statesDir: string;
  /** The state modules (modules/index.ts `registry`). */
  registry: StateRegistry;
  pillarDir: string;
  envFile?: string;
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
}

export interface PushResult {
  outcomes: HostOutcome[];
  exitCode: 0 | 1 | 2 | 3;
}

export function hostBlock(h: HostOutcome, o: Pick<PushOptions, 'out' | 'color' | 'redactor'>): string {
  const title = `=== ${h.label}${h.host && h.host !== h.label ? ` (${h.host})` : ''} ===\n${h.warning ? `warning: ${h.warning}\n` : ''}`;
  if (!h.report) return `${title}${h.status}: ${h.error ?? ''}\n`;
  const body = formatReport(h.report, o.out === 'json' ? 'highstate' : o.out, { color: o.color, redactor: o.redactor });
  return `${title}${body}`;
}

/** --out markdown: one review comment for every host (report/markdown.ts), redacted like the rest. */
export function markdownHosts(outcomes: HostOutcome[], o: Pick<PushOptions, 'redactor' | 'test'>, notes = new Map<string, string>()) {
  const hosts = outcomes.map((h) => ({
    label: h.label,
    ...(h.host ? { address: h.host } : {}),
    status: h.status,
    ...(h.error ? { error: h.error } : {}),
    ...(h.warning ? { warning: h.warning } : {}),
    ...(h.report ? { report: o.redactor.redactDeep(withSafeDiffs(h.report, o.redactor)) } : {}),
    ...(notes.has(h.label) ? { note: notes.get(h.label)! } : {}),
  }));
  return o.redactor.redact(formatMarkdownHosts(hosts, { test: o.test }));
}

export async function push(o: PushOptions): Promise<PushResult> {
  const queue = new PQueue({ concurrency: o.parallel });
  const outcomes = await Promise.all(
    o.targets.map((t) =>
      queue.add(async () => {
        const h = await pushHost(t, o);
        if (o.out === 'highstate') o.write(hostBlock(h, o));
        return h;
      }),
    ),
  );
  const exitCode = pushExitCode(outcomes as HostOutcome[]);
  if (o.out === 'json') {
    const doc = {
      exitCode,
      hosts: (outcomes as HostOutcome[]).map((h) => ({
        host: h.label,
        address: h.host ?? null,
        status: h.status,
        durationMs: h.durationMs,
        roundTrips: h.roundTrips ?? null,
        error: h.error ?? null,
        ...(h.warning ? { warning: h.warning } : {}),
        report: h.report ? toJson(o.redactor.redactDeep(withSafeDiffs(h.report, o.redactor))) : null,
      })),
    };
    o.write(o.redactor.redact(`${JSON.stringify(doc, null, 2)}\n`));
  } else if (o.out === 'markdown') {
    o.write(markdownHosts(outcomes as HostOutcome[], o));
  } else {
    o.write(o.redactor.redact(formatSummaryTable(outcomes as HostOutcome[])));
  }
  return { outcomes: outcomes as HostOutcome[], exitCode };
}
