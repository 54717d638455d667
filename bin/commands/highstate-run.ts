// The work of `brine highstate` / `brine sls`, loaded only when one of them runs (bin/commands/highstate.ts).
import { existsSync } from 'node:fs';
import { UsageError } from '../../engine/errors.js';
import { LocalHost } from '../../engine/host/local.js';
import { prepareHost, runStates } from '../../engine/pipeline.js';
import { exitCodeFor, formatReport, summarize, wantColor } from '../../engine/report/index.js';
import { errorRedactor } from '../main.js';
import { registry } from '../../modules/index.js';
import { dirOption, type Override, resolveDirs, type RunFlags } from './highstate.js';
import { RunControl, stopExitCode } from '../../engine/run/control.js';
import { RunLockError } from '../../engine/host/run-lock.js';
import type { RunReport } from '../../engine/run/types.js';
import { handleStopSignals } from './stop-signals.js';

export async function run(flags: RunFlags, sls: string[] | undefined, override?: Override): Promise<void> {
  if (flags.root) dirOption('--root', flags.root);
  if (flags.env && !existsSync(flags.env)) throw new UsageError(`--env: '${flags.env}' not found`);
  const { statesDir, pillarDir } = resolveDirs(flags);
  const host = new LocalHost(flags.root ? { root: flags.root } : undefined);
  const control = new RunControl();
  const fmt = (r: RunReport) =>
    formatReport(r, flags.out, { color: wantColor(process.stdout), redactor: errorRedactor, full: flags.full });
  // notices for the operator (signals, lock waits, temp files removed)
  let say = (line: string) => {
    process.stderr.write(line);
  };
  const unhandle = handleStopSignals(
    control,
    (reports) => {
      for (const r of reports) process.stdout.write(fmt(r));
    },
    (l) => say(l),
  );
  try {
    const prepared = await prepareHost({
      host,
      pillarDir,
      envFile: flags.env,
      minionId: flags.id,
      redactor: errorRedactor,
      allowDefaultEnv: !!flags.test,
      ...(override ? { pillarOverride: override } : {}),
    });
    for (const w of prepared.warnings) process.stderr.write(`brine: warning: ${w}\n`);
    const { openProgress } = await import('../../engine/progress/index.js');
    const view = await openProgress({
      labels: [prepared.minionId],
      redact: (s) => errorRedactor.redact(s),
      quiet: !!flags.quiet,
    });
    // a live view shows notices as they come; stderr still gets them, after the view
    if (view.live) {
      say = (line) => {
        view.note?.(line);
        process.stderr.write(line);
      };
    }
    const progress = view.host(prepared.minionId);
    const report = await runStates({
      host,
      statesDir,
      registry,
      pillar: prepared.pillar,
      grains: prepared.grains,
      minionId: prepared.minionId,
      exec: prepared.exec,
      test: !!flags.test,
      sls,
      concurrency: flags.concurrency,
      failhard: flags.failhard,
      aggregate: flags.aggregate,
      redactor: errorRedactor,
      lock: { waitMs: flags.lockTimeout * 1000, onWait: (m) => say(`brine: ${m}\n`) },
      control,
      notice: (m) => say(`brine: ${m}\n`),
      progress,
    }).catch(async (e: unknown) => {
      progress.done({ status: 'error', error: e instanceof Error ? e.message : String(e), durationMs: 0 });
      await view.end();
      throw e;
    });
    const sum = summarize(report);
    const code = exitCodeFor(report, !!flags.test);
    progress.done({
      status: code === 1 ? 'failed' : code === 2 ? 'pending' : 'ok',
      changed: sum.changed,
      failed: sum.failed,
      durationMs: report.durationMs,
    });
    await view.end();
    if (!report.results.length) {
      process.stderr.write(
        `brine: warning: no states selected${sls ? '' : ` for minion '${prepared.minionId}' by top.sls`}\n`,
      );
    }
    process.stdout.write(fmt(report));
    process.exitCode = exitCodeFor(report, !!flags.test);
    if (report.interrupted) {
      process.stderr.write(`brine: stopped by ${report.interrupted}: the states not started did not run\n`);
      process.exitCode = stopExitCode(report.interrupted);
    }
  } catch (e) {
    // a stop while waiting for the lock: nothing ran; the signal's exit code
    if (!control.stopped || !(e instanceof RunLockError)) throw e;
    process.stderr.write(`brine: ${e.reason}\n`);
    process.exitCode = stopExitCode(control.stopped);
  } finally {
    unhandle();
    await host.close();
  }
}
