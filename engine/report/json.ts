// --out json: a stable schema (version 1), documented in the README.
import type { RunReport } from '../run/types.js';
import { reportedChange } from './changes.js';
import { summarize } from './summary.js';

export const JSON_SCHEMA_VERSION = 1;

export function toJson(report: RunReport): Record<string, unknown> {
  return {
    version: JSON_SCHEMA_VERSION,
    host: report.host,
    test: report.test,
    started: report.startedAt,
    ...(report.aborted ? { aborted: report.aborted } : {}),
    ...(report.interrupted ? { interrupted: report.interrupted } : {}),
    results: report.results.map((r) => ({
      id: r.id,
      name: r.name,
      module: r.module,
      function: r.fun,
      sls: r.sls,
      file: r.file,
      line: r.line,
      result: r.result,
      comment: r.comment,
      changes: r.changes.map(reportedChange),
      ...(r.data ? { output: r.data } : {}),
      ...(r.warnings ? { warnings: r.warnings } : {}),
      started: r.startedAt,
      duration_ms: r.durationMs,
      run_num: r.runNum,
    })),
    summary: summarize(report),
  };
}
