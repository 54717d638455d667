// formatReport: highstate text, json or markdown, always through the Redactor.
import type { Redactor } from '../redact.js';
import type { OutFormat } from './formats.js';
import type { RunReport } from '../run/types.js';
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
  const safe = o.redactor.redactDeep(report);
  if (format === 'json') return o.redactor.redact(`${JSON.stringify(toJson(safe), null, 2)}\n`);
  if (format === 'markdown') return o.redactor.redact(formatMarkdown(safe));
  return o.redactor.redact(formatHighstate(safe, { color: o.color, full: o.full }));
}
