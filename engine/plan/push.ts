// Saved plans over SSH. `brine push --test --plan-out FILE`: every host's dry run in one plan
// (written only when every host produced one). `brine push --plan FILE`: two phases. First every
// host connects, takes its run lock, compiles and dry-runs again, and is compared with its entry
// of the plan; the locks are kept. Then, only if every host matched (or with --partial: the hosts
// that matched), the real runs apply under the same locks (PlanRun.apply). Without --partial one
// drifted or unreachable host means no host changes anything (exit 4, or 1 when unreachable).
import PQueue from 'p-queue';
import { BrineError, TransportError } from '../errors.js';
import type { SshHost } from '../host/ssh.js';
import { hostBlock, hostJson, markdownHosts, type PushOptions } from '../push/index.js';
import { connectAndLoad, type HostOutcome } from '../push/push-host.js';
import { formatSummaryTable } from '../push/summary.js';
import { exitCodeFor, summarize } from '../report/index.js';
import type { RunReport } from '../run/types.js';
import { compareHost, wrongHost } from './compare.js';
import { formatDifferences } from './differences.js';
import { overrideRefusal } from './override.js';
import { writePlan } from './file.js';
import { asPlannedNote, notAsPlanned } from './note.js';
import { newPlanId, PlanRun } from './session.js';
import { PLAN_MISMATCH_EXIT, PLAN_VERSION, type HostCheck, type PlanHost, type SavedPlan } from './types.js';
import type { PushTarget } from '../push/inventory.js';

export interface PlanPushResult {
  exitCode: number;
}

const SKIPPED = 'not applied: another host does not match the plan (--partial applies the hosts that do)';

interface Opened {
  t: PushTarget;
  start: number;
  host?: SshHost;
  run?: PlanRun;
  outcome?: HostOutcome;
  report?: RunReport;
  plan?: PlanHost;
  check?: HostCheck;
  warning?: string;
}

function failure(x: Opened, err: unknown, o: PushOptions): HostOutcome {
  const raw = err instanceof TransportError ? err.reason : err instanceof Error ? err.message : String(err);
  const msg = o.redactor.redact(raw);
  const base = {
    label: x.t.label,
    ...(x.host ? { host: x.host.name, roundTrips: x.host.roundTrips } : {}),
    durationMs: Date.now() - x.start,
  };
  if (err instanceof TransportError && !x.host?.roundTrips) {
    return { ...base, status: 'unreachable', error: msg, errorExitCode: 1 };
  }
  if (err instanceof BrineError) return { ...base, status: 'error', error: msg, errorExitCode: err.exitCode };
  return { ...base, status: 'error', error: `internal error: ${msg}`, errorExitCode: 1 };
}

const outcome = (x: Opened, status: HostOutcome['status'], extra: Partial<HostOutcome> = {}): HostOutcome => ({
  label: x.t.label,
  ...(x.host ? { host: x.host.name, roundTrips: x.host.roundTrips } : {}),
  status,
  ...(x.report ? { report: x.report, summary: summarize(x.report) } : {}),
  ...(x.warning ? { warning: x.warning } : {}),
  durationMs: Date.now() - x.start,
  ...extra,
});

/** Phase one for one host: connect, load, lock, compile, dry run (planId keys the digests). */
async function openHost(t: PushTarget, o: PushOptions, planId: string, entry?: PlanHost): Promise<Opened> {
  const x: Opened = { t, start: Date.now() };
  try {
    const { progress: _view, ...hostOptions } = o; // a saved plan's push shows no per-host progress
    const c = await connectAndLoad(t, hostOptions, (h) => (x.host = h));
    if (c.loaded.defaultEnvWarning) x.warning = c.loaded.defaultEnvWarning;
    if (entry) {
      const other = wrongHost(entry, c.minionId);
      if (other) {
        x.check = { host: c.minionId, target: t.label, wrongHost: other, differences: [] };
        return x;
      }
    }
    x.run = await PlanRun.open({
      host: c.host,
      registry: o.registry,
      statesDir: o.statesDir,
      pillar: c.pillar,
      grains: c.grains,
      minionId: c.minionId,
      exec: c.exec,
      ...(o.sls ? { sls: o.sls } : {}),
      concurrency: o.concurrency ?? 1,
      aggregate: o.aggregate !== false,
      redactor: o.redactor,
      secrets: c.secrets,
      ...(o.lock ? { lock: o.lock } : {}),
      // applying a saved plan: the temp sweep goes with the lock's command (no round trip of its own)
      sweep: !!entry,
      ...(o.control ? { control: o.control } : {}),
      ...(o.notice ? { notice: (m: string) => o.notice!(`${t.label}: ${m}`) } : {}),
      where: { target: t.label },
      ...(o.pillarOverride ? { pillarOverride: o.pillarOverride } : {}),
    });
    const { report, plan } = await x.run.dryRun(planId);
    x.report = report;
    x.plan = plan;
    const refused = entry && overrideRefusal(entry, plan);
    if (refused) x.check = { host: c.minionId, target: t.label, wrongHost: refused, differences: [] };
    else if (entry) x.check = compareHost(entry, plan);
  } catch (err) {
    x.outcome = failure(x, err, o);
  }
  return x;
}

async function closeHost(x: Opened): Promise<void> {
  await x.run?.close().catch(() => {});
  await x.host?.close().catch(() => {});
}

type Notes = Map<string, string>;

function finish(o: PushOptions, outcomes: HostOutcome[], exitCode: number, extra: string[], notes?: Notes): void {
  if (o.out === 'markdown') {
    o.write(markdownHosts(outcomes, o, notes));
    return;
  }
  if (o.out === 'json') {
    const doc = {
      exitCode,
      hosts: outcomes.map((h) => hostJson(h, o.redactor)),
      ...(extra.length ? { plan: extra } : {}),
    };
    o.write(o.redactor.redact(`${JSON.stringify(doc, null, 2)}\n`));
  } else o.write(o.redactor.redact(formatSummaryTable(outcomes)));
}

/** `brine push --test --plan-out FILE`. */
export async function pushPlanOut(o: PushOptions & { planOut: string; command: string }): Promise<PlanPushResult> {
  const id = newPlanId();
  const queue = new PQueue({ concurrency: o.parallel });
  const opened = await Promise.all(
    o.targets.map((t) =>
      queue.add(async () => {
        const x = await openHost(t, o, id);
        await closeHost(x);
        const code = x.report ? exitCodeFor(x.report, true) : 1;
        const h = x.outcome ?? outcome(x, code === 1 ? 'failed' : code === 2 ? 'pending' : 'ok');
        if (o.out === 'highstate') o.write(hostBlock(h, o));
        return { x, h };
      }),
    ),
  );
  const outcomes = opened.map((r) => r!.h);
  const missing = opened.filter((r) => !r!.x.plan).map((r) => r!.x.t.label);
  const failed = outcomes.some((h) => h.status !== 'ok' && h.status !== 'pending');
  let exitCode = failed ? 1 : outcomes.some((h) => h.status === 'pending') ? 2 : 0;
  if (missing.length) {
    exitCode = 1;
    o.notice?.(`no plan written: no dry run of ${missing.join(', ')}`);
  } else {
    const saved: SavedPlan = {
      kind: 'brine-plan',
      version: PLAN_VERSION,
      id,
      created: new Date().toISOString(),
      command: o.command,
      ...(o.sls ? { sls: o.sls } : {}),
      options: { aggregate: o.aggregate !== false, concurrency: o.concurrency ?? 1 },
      hosts: opened.map((r) => r!.x.plan!),
    };
    writePlan(o.planOut, saved, o.redactor);
    const pending = saved.hosts.reduce((n, h) => n + h.summary.pending, 0);
    o.notice?.(`plan written to ${o.planOut}: ${saved.hosts.length} host(s), ${pending} state(s) would change`);
  }
  finish(o, outcomes, exitCode, []);
  return { exitCode };
}

/** `brine push --plan FILE [--partial]`. o.targets are the plan's hosts (or some of them). */
export async function pushPlanApply(o: PushOptions & { plan: SavedPlan; partial: boolean }): Promise<PlanPushResult> {
  const entries = new Map(o.plan.hosts.map((h) => [h.target ?? h.host, h]));
  const queue = new PQueue({ concurrency: o.parallel });
  const opened: Opened[] = [];
  try {
    // phase one: every host checked, locks kept
    const open = (t: PushTarget) => openHost(t, o, o.plan.id, entries.get(t.label)!);
    const got = await Promise.all(o.targets.map((t) => queue.add(() => open(t))));
    opened.push(...got.map((x) => x!));
    const differs = (c: HostCheck) => !!c.wrongHost || c.differences.length > 0;
    const matches = (x: Opened) => !!x.run && !!x.check && !differs(x.check) && !x.report?.interrupted;
    const good = opened.filter(matches);
    const go = o.control?.stopped ? [] : o.partial || good.length === opened.length ? good : [];
    const checks = opened.flatMap((x) => (x.check && differs(x.check) ? [x.check] : []));
    const notes = new Map<string, string>();
    if (o.out === 'markdown') {
      for (const c of checks) notes.set(c.target ?? c.host, formatDifferences([c], 'markdown', o.redactor));
    } else if (checks.length) o.write(formatDifferences(checks, 'highstate', o.redactor));

    // phase two: apply where allowed, under the locks of phase one
    const applied = new Map<Opened, RunReport>();
    await Promise.all(
      go.map((x) =>
        queue.add(async () => {
          try {
            const entry = entries.get(x.t.label)!;
            const report = await x.run!.apply(entry, o.plan.id);
            applied.set(x, report);
            const off = notAsPlanned(report);
            const code = exitCodeFor(report, false);
            const status = off.length ? 'refused' : code === 1 ? 'failed' : 'ok';
            const error = off.length ? { error: `not as planned: ${off.join(', ')}` } : {};
            const h = outcome({ ...x, report }, status, error);
            x.outcome = h;
            notes.set(x.t.label, asPlannedNote(report, o.plan.id, o.out));
            if (o.out === 'highstate') o.write(hostBlock(h, o) + o.redactor.redact(notes.get(x.t.label)!));
          } catch (err) {
            x.outcome = failure(x, err, o);
          }
        }),
      ),
    );
    const outcomes = opened.map((x) => {
      if (x.outcome) return x.outcome;
      if (x.check?.wrongHost) return outcome(x, 'refused', { error: x.check.wrongHost });
      const n = x.check?.differences.length;
      if (n) return outcome(x, 'refused', { error: `not as planned: ${n} state(s) differ; nothing changed` });
      return outcome(x, 'skipped', { error: SKIPPED });
    });
    const refused = outcomes.some((h) => h.status === 'refused');
    const bad = outcomes.some((h) => h.status === 'failed' || h.status === 'unreachable' || h.status === 'error');
    const exitCode = refused ? PLAN_MISMATCH_EXIT : bad || outcomes.some((h) => h.status === 'skipped') ? 1 : 0;
    const clean = (r: RunReport) => !notAsPlanned(r).length && !r.results.some((s) => s.result === false);
    const asPlanned = [...applied.values()].filter(clean).length;
    finish(o, outcomes, exitCode, o.out === 'json' ? [`${asPlanned} host(s) applied as planned`] : [], notes);
    if (!go.length) {
      o.notice?.(`nothing was changed on any host${o.partial ? '' : ' (--partial applies the hosts that match)'}`);
    }
    return { exitCode };
  } finally {
    await Promise.all(opened.map(closeHost));
  }
}
