// formatReport: highstate text, json or markdown, always through the Redactor. A diff that holds
// a secret anyway (a module that builds its own diffs, a secret only found after the plan) is
// dropped whole rather than redacted line by line: its neighbour lines may be old secrets.
import type { Change } from '../contract.js';
import type { Redactor } from '../redact.js';
import type { OutFormat } from './formats.js';
import type { RunReport } from '../run/types.js';
import { reportedChange } from './changes.js';
import { formatHighstate } from './highstate.js';
import { toJson } from './json.js';
import { formatMarkdown } from './markdown.js';

export { exitCodeFor, summarize, type Summary } from './summary.js';
export { JSON_SCHEMA_VERSION, toJson } from './json.js';

export { OUT_FORMATS, type OutFormat, wantColor } from './formats.js';

export function formatReport(
  report: RunReport,
  format: OutFormat,
  o: { color: boolean; redactor: Redactor; full?: boolean },
): string {
  const safe = o.redactor.redactDeep(withSafeDiffs(report, o.redactor));
  if (format === 'json') return o.redactor.redact(`${JSON.stringify(toJson(safe), null, 2)}\n`);
  if (format === 'markdown') return o.redactor.redact(formatMarkdown(safe));
  return o.redactor.redact(formatHighstate(safe, { color: o.color, full: o.full }));
}

export const SECRET_DIFF = 'content not shown: the diff holds a secret';

function safeChange(c: Change, redactor: Redactor): Change {
  const rest = reportedChange(c);
  if (!rest.diff || !redactor.holdsSecret(rest.diff)) return rest;
  const hashes = [rest.before, rest.after].every(
    (h) => h === undefined || (typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)),
  );
  return {
    ...rest,
    diff:
      hashes && rest.after
        ? `${SECRET_DIFF}; sha256 ${String(rest.before ?? '(none)')} -> ${String(rest.after)}`
        : SECRET_DIFF,
  };
}

/** The report with changes as reported (no payloads, no module fields), every diff that holds a secret replaced. */
export function withSafeDiffs(report: RunReport, redactor: Redactor): RunReport {
  return {
    ...report,
    results: report.results.map((r) => ({ ...r, changes: r.changes.map((c) => safeChange(c, redactor)) })),
  };
}
