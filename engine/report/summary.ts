// Counts for the summary and the exit code.
import type { RunReport } from '../run/types.js';

export interface Summary {
  total: number;
  succeeded: number;
  failed: number;
  /** States with changes (real run) or with pending changes (--test). */
  changed: number;
  /** --test: states whose result is null (would change). */
  pending: number;
  duration_ms: number;
}

export function summarize(report: RunReport): Summary {
  let failed = 0;
  let changed = 0;
  let pending = 0;
  for (const r of report.results) {
    if (r.result === false) failed++;
    else if (r.result === null || r.changes.length) changed++;
    if (r.result === null) pending++;
  }
  return {
    total: report.results.length,
    succeeded: report.results.length - failed,
    failed,
    changed,
    pending,
    duration_ms: report.durationMs,
  };
}

/** DESIGN.md: 0 ok (with --test: nothing would change), 2 --test with pending changes, 1 a state failed. */
export function exitCodeFor(report: RunReport, test: boolean): 0 | 1 | 2 {
  const s = summarize(report);
  if (s.failed || report.aborted) return 1;
  if (test && s.changed) return 2;
  return 0;
}
