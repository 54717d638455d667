// --out markdown: for pull requests; a table of changed/failed states and diff code blocks.
import type { RunReport, StateResult } from '../run/types.js';
import { changeLine, dataLines } from './changes.js';
import { summarize } from './summary.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
const icon = (r: StateResult): string => (r.result === false ? '❌' : r.result === null ? '🟡' : r.changes.length ? '✏️' : '✅');

export function formatMarkdown(report: RunReport): string {
  const s = summarize(report);
  const out: string[] = [];
  out.push(`### brine ${report.test ? 'dry run' : 'run'} on \`${report.host}\``, '');
  out.push(
    report.test
      ? `**${s.pending} would change**, ${s.failed} failed, ${s.total} states (${(s.duration_ms / 1000).toFixed(2)} s)`
      : `**${s.changed} changed**, ${s.failed} failed, ${s.total} states (${(s.duration_ms / 1000).toFixed(2)} s)`,
  );
  if (report.aborted) out.push('', `Stopped by failhard after \`${report.aborted}\` failed.`);
  const shown = report.results.filter((r) => r.result !== true || r.changes.length);
  if (!shown.length) {
    out.push('', 'No changes.');
    return `${out.join('\n')}\n`;
  }
  out.push('', '| | State | Function | Name | Comment | Location |', '|---|---|---|---|---|---|');
  for (const r of shown) {
    out.push(`| ${icon(r)} | \`${cell(r.id)}\` | ${r.module}.${r.fun} | \`${cell(r.name)}\` | ${cell(r.comment)} | ${cell(r.file)}:${r.line} |`);
  }
  for (const r of shown) {
    if (!r.changes.length && !r.data) continue;
    out.push('', `<details><summary><code>${r.module}.${r.fun}</code> ${escapeHtml(r.name)}</summary>`, '');
    const plain = r.changes.filter((c) => !c.diff).map(changeLine);
    plain.push(...dataLines(r.data));
    if (plain.length) out.push('```', ...plain, '```');
    for (const c of r.changes.filter((c) => c.diff)) {
      out.push(`\`${c.op} ${c.target}\``, '', '```diff', c.diff!.replace(/\n$/, ''), '```');
    }
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
