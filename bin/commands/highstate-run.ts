// The work of `brine highstate` / `brine sls`, loaded only when one of them runs (bin/commands/highstate.ts).
import { existsSync } from 'node:fs';
import { UsageError } from '../../engine/errors.js';
import { LocalHost } from '../../engine/host/local.js';
import { prepareHost, runStates } from '../../engine/pipeline.js';
import { exitCodeFor, formatReport, wantColor } from '../../engine/report/index.js';
import { errorRedactor } from '../main.js';
import { dirOption, resolveDirs, type RunFlags } from './highstate.js';

export async function run(flags: RunFlags, sls: string[] | undefined): Promise<void> {
  if (flags.root) dirOption('--root', flags.root);
  if (flags.env && !existsSync(flags.env)) throw new UsageError(`--env: '${flags.env}' not found`);
  const { statesDir, pillarDir } = resolveDirs(flags);
  const host = new LocalHost(flags.root ? { root: flags.root } : undefined);
  try {
    const prepared = await prepareHost({ host, pillarDir, envFile: flags.env, minionId: flags.id, redactor: errorRedactor });
    const report = await runStates({
      host,
      statesDir,
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
    });
    if (!report.results.length) {
      process.stderr.write(`brine: warning: no states selected${sls ? '' : ` for minion '${prepared.minionId}' by top.sls`}\n`);
    }
    process.stdout.write(formatReport(report, flags.out, { color: wantColor(process.stdout), redactor: errorRedactor, full: flags.full }));
    process.exitCode = exitCodeFor(report, !!flags.test);
  } finally {
    await host.close();
  }
}
