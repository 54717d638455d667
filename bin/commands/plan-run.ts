// Saved plans on this machine: `brine highstate|sls --test --plan-out FILE` and `brine apply FILE`
// (loaded only when one of them runs). The engine side is engine/plan/.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../engine/errors.js';
import { LocalHost } from '../../engine/host/local.js';
import { registry } from '../../modules/index.js';
import { prepareHost } from '../../engine/pipeline.js';
import {
  asPlannedNote,
  compareHost,
  formatDifferences,
  newPlanId,
  overrideRefusal,
  PLAN_MISMATCH_EXIT,
  PlanRun,
  PLAN_VERSION,
  readPlan,
  wrongHost,
  writePlan,
  type SavedPlan,
} from '../../engine/plan/index.js';
import { notAsPlanned } from '../../engine/plan/note.js';
import { exitCodeFor, formatReport, toJson, withSafeDiffs, wantColor } from '../../engine/report/index.js';
import { RunControl, stopExitCode } from '../../engine/run/control.js';
import type { RunReport } from '../../engine/run/types.js';
import { errorRedactor } from '../main.js';
import { dirOption, type Override, resolveDirs, type RunFlags } from './highstate.js';
import { handleStopSignals } from './stop-signals.js';

const say = (m: string) => process.stderr.write(`brine: ${m}\n`);

async function openLocal(flags: RunFlags, test: boolean, override: Override) {
  if (flags.root) dirOption('--root', flags.root);
  if (flags.env && !existsSync(flags.env)) throw new UsageError(`--env: '${flags.env}' not found`);
  const { statesDir, pillarDir } = resolveDirs(flags);
  const host = new LocalHost(flags.root ? { root: flags.root } : undefined);
  try {
    const redactor = errorRedactor;
    const minionId = flags.id;
    const pillarOverride = override ? { pillarOverride: override } : {};
    const p = await prepareHost({
      host,
      pillarDir,
      envFile: flags.env,
      minionId,
      redactor,
      allowDefaultEnv: test,
      ...pillarOverride,
    });
    for (const w of p.warnings) say(`warning: ${w}`);
    return { host, prepared: p, statesDir, root: flags.root ? resolve(flags.root) : undefined, override };
  } catch (e) {
    await host.close();
    throw e;
  }
}

type Local = Awaited<ReturnType<typeof openLocal>>;

type RunOpts = SavedPlan['options'];

function runInput(o: Local, flags: RunFlags, sls: string[] | undefined, control: RunControl, run: RunOpts) {
  const { aggregate, concurrency } = run;
  return {
    host: o.host,
    registry,
    statesDir: o.statesDir,
    pillar: o.prepared.pillar,
    grains: o.prepared.grains,
    minionId: o.prepared.minionId,
    exec: o.prepared.exec,
    ...(sls ? { sls } : {}),
    concurrency,
    aggregate,
    redactor: errorRedactor,
    secrets: o.prepared.secrets,
    lock: { waitMs: flags.lockTimeout * 1000, onWait: say },
    control,
    notice: say,
    where: o.root ? { root: o.root } : {},
    ...(o.override ? { pillarOverride: o.override } : {}),
  };
}

const fmt = (r: RunReport, flags: RunFlags) =>
  formatReport(r, flags.out, { color: wantColor(process.stdout), redactor: errorRedactor, full: flags.full });

/** `brine highstate|sls --test --plan-out FILE`: the dry run, printed as usual and saved. */
export async function planOut(
  flags: RunFlags & { planOut: string },
  sls: string[] | undefined,
  override?: Override,
): Promise<void> {
  if (!flags.test) {
    throw new UsageError('--plan-out needs --test: a plan is a dry run (apply it with `brine apply FILE`)');
  }
  const control = new RunControl();
  const unhandle = handleStopSignals(control, (reports) => reports.forEach((r) => process.stdout.write(fmt(r, flags))));
  const o = await openLocal(flags, true, override);
  try {
    const aggregate = flags.aggregate !== false;
    const run = await PlanRun.open(runInput(o, flags, sls, control, { aggregate, concurrency: flags.concurrency }));
    try {
      const id = newPlanId();
      const { report, plan } = await run.dryRun(id);
      process.stdout.write(fmt(report, flags));
      if (report.interrupted) {
        say(`stopped by ${report.interrupted}: no plan written`);
        process.exitCode = stopExitCode(report.interrupted);
        return;
      }
      const saved: SavedPlan = {
        kind: 'brine-plan',
        version: PLAN_VERSION,
        id,
        created: new Date().toISOString(),
        command: sls ? 'sls' : 'highstate',
        ...(sls ? { sls } : {}),
        options: { aggregate, concurrency: flags.concurrency },
        hosts: [plan],
      };
      writePlan(flags.planOut, saved, errorRedactor);
      const { pending, total, failed } = plan.summary;
      const fails = failed ? `, ${failed} failed` : '';
      say(`plan written to ${flags.planOut}: ${pending} of ${total} state(s) would change${fails}`);
      process.exitCode = exitCodeFor(report, true);
    } finally {
      await run.close();
    }
  } finally {
    unhandle();
    await o.host.close();
  }
}

/** `brine apply FILE`: dry run again; apply only when it equals the plan (else exit 4, nothing changed). */
export async function applyPlan(file: string, flags: RunFlags, override?: Override): Promise<void> {
  const saved = readPlan(file);
  if (saved.command === 'push') {
    throw new UsageError(`${file}: a plan of \`brine push\`: apply it with \`brine push --plan ${file}\``);
  }
  const control = new RunControl();
  const unhandle = handleStopSignals(control, (reports) => reports.forEach((r) => process.stdout.write(fmt(r, flags))));
  const o = await openLocal(flags, false, override);
  try {
    const entry = saved.hosts[0]!;
    const other = wrongHost(entry, o.prepared.minionId, o.root);
    if (other) {
      const check = { host: o.prepared.minionId, wrongHost: other, differences: [] };
      process.stdout.write(formatDifferences([check], flags.out, errorRedactor));
      say(`${file}: ${other}; nothing was changed`);
      process.exitCode = PLAN_MISMATCH_EXIT;
      return;
    }
    const run = await PlanRun.open({ ...runInput(o, flags, saved.sls, control, saved.options), sweep: true });
    try {
      const { report: dry, plan: now } = await run.dryRun(saved.id);
      if (dry.interrupted) {
        say(`stopped by ${dry.interrupted} while checking the plan: nothing was changed`);
        process.exitCode = stopExitCode(dry.interrupted);
        return;
      }
      const refused = overrideRefusal(entry, now);
      if (refused) {
        const check = { host: o.prepared.minionId, wrongHost: refused, differences: [] };
        process.stdout.write(formatDifferences([check], flags.out, errorRedactor));
        say(`${file}: ${refused}; nothing was changed`);
        process.exitCode = PLAN_MISMATCH_EXIT;
        return;
      }
      const check = compareHost(entry, now);
      if (check.differences.length) {
        process.stdout.write(formatDifferences([check], flags.out, errorRedactor));
        say(`${file}: the plan no longer matches: ${check.differences.length} state(s) differ; nothing was changed`);
        process.exitCode = PLAN_MISMATCH_EXIT;
        return;
      }
      const report = await run.apply(entry, saved.id);
      printApplied(report, saved.id, flags);
      const off = notAsPlanned(report);
      process.exitCode = off.length ? PLAN_MISMATCH_EXIT : exitCodeFor(report, false);
      if (report.interrupted) {
        say(`stopped by ${report.interrupted}: the states not started did not run`);
        process.exitCode = stopExitCode(report.interrupted);
      }
    } finally {
      await run.close();
    }
  } finally {
    unhandle();
    await o.host.close();
  }
}

function printApplied(report: RunReport, planId: string, flags: RunFlags): void {
  if (flags.out === 'json') {
    const off = notAsPlanned(report);
    const plan = { id: planId, as_planned: !off.length, ...(off.length ? { not_as_planned: off } : {}) };
    const doc = { ...toJson(errorRedactor.redactDeep(withSafeDiffs(report, errorRedactor))), plan };
    process.stdout.write(errorRedactor.redact(`${JSON.stringify(doc, null, 2)}\n`));
    return;
  }
  process.stdout.write(fmt(report, flags));
  process.stdout.write(errorRedactor.redact(asPlannedNote(report, planId, flags.out)));
}
