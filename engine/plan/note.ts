// The line an apply of a saved plan ends its report with: "as planned", or where it stopped.
import type { OutFormat } from '../report/formats.js';
import type { RunReport } from '../run/types.js';
import { NOT_AS_PLANNED } from './guard.js';

export function notAsPlanned(report: RunReport): string[] {
  return report.results
    .filter((r) => r.result === false && r.comment.startsWith(NOT_AS_PLANNED))
    .map((r) => `${r.module}.${r.fun}: ${r.id}`);
}

/** The closing note (text or markdown); json gets `plan` in its document instead. */
export function asPlannedNote(report: RunReport, planId: string, format: OutFormat): string {
  const off = notAsPlanned(report);
  const applied = report.results.filter((r) => r.changes.length && r.result !== false).length;
  const text = off.length
    ? `NOT as planned: ${off.join(', ')} no longer matched the plan when it was to apply; ` +
      'the run stopped there (the states before it applied as planned)'
    : report.results.some((r) => r.result === false)
      ? `plan ${planId.slice(0, 12)}: checked as planned, but a state failed while applying; the run stopped there`
      : `as planned: plan ${planId.slice(0, 12)} applied (${applied} state(s) changed, ` +
        `${report.results.length} checked)`;
  return format === 'markdown' ? `\n**${text}**\n` : `${text}\n`;
}
