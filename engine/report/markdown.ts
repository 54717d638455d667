// --out markdown: a review comment for a merge request. A summary line, the states that change or
// fail grouped by SLS (a table each), every changed file's diff and every other state's changes in
// a collapsible <details> block; for push one section per host. The whole comment is fitted under
// the size code hosts accept (markdown-fit.ts), saying what was cut. The report it gets is already
// redacted (formatReport), secret-holding diffs replaced.
import type { Change } from '../../engine/contract.js';
import type { RunReport, StateResult } from '../run/types.js';
import { changeLine, dataLines } from './changes.js';
import { fitMarkdown, type MdBlock } from './markdown-fit.js';
import { summarize } from './summary.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
function icon(r: StateResult): string {
  if (r.result === false) return '❌';
  if (r.result === null) return '🟡';
  return r.changes.length ? '✏️' : '✅';
}
const fixed = (text: string): MdBlock => ({ text, kind: 'fixed' });

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A fence longer than any backtick run inside the text, so a diff cannot close its block. */
function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  return '`'.repeat(longest + 1);
}

function diffCounts(diff: string): string {
  let add = 0;
  let del = 0;
  for (const l of diff.split('\n')) {
    if (l.startsWith('+') && !l.startsWith('+++')) add++;
    else if (l.startsWith('-') && !l.startsWith('---')) del++;
  }
  return add || del ? ` (+${add} −${del})` : '';
}

function summaryLine(report: RunReport): string {
  const s = summarize(report);
  const secs = `${(s.duration_ms / 1000).toFixed(2)} s`;
  const changed = report.test ? s.pending : s.changed;
  const what = report.test ? 'would change' : 'changed';
  const same = s.total - changed - s.failed;
  return `**${changed} ${what}**, ${s.failed} failed, ${same} unchanged, ${s.total} states (${secs})`;
}

const details = (summary: string, body: string[]): string =>
  ['', `<details><summary>${summary}</summary>`, '', ...body, '', '</details>'].join('\n');

function stateDetails(r: StateResult): MdBlock[] {
  const out: MdBlock[] = [];
  const plain = r.changes.filter((c) => !c.diff).map(changeLine);
  plain.push(...dataLines(r.data));
  if (plain.length) {
    const body = plain.join('\n');
    const f = fence(body);
    out.push({
      kind: 'detail',
      label: `${r.module}.${r.fun}: ${r.id}`,
      text: details(`<code>${escapeHtml(`${r.module}.${r.fun}`)}</code> ${escapeHtml(r.name)}`, [f, body, f]),
    });
  }
  for (const c of r.changes.filter((c): c is Change & { diff: string } => !!c.diff)) {
    const body = c.diff.replace(/\n$/, '');
    const f = fence(body);
    out.push({
      kind: 'detail',
      label: c.target,
      text: details(`${c.op} <code>${escapeHtml(c.target)}</code>${diffCounts(body)}`, [`${f}diff`, body, f]),
    });
  }
  return out;
}

/** One host's report as blocks (for one comment, or one section of a push's comment). */
export function reportBlocks(report: RunReport, title?: string): MdBlock[] {
  title ??= `### brine ${report.test ? 'dry run' : 'run'} on \`${report.host}\``;
  const out: MdBlock[] = [fixed(title), fixed(''), fixed(summaryLine(report))];
  if (report.aborted) out.push(fixed(''), fixed(`Stopped by failhard after \`${report.aborted}\` failed.`));
  if (report.interrupted) {
    out.push(fixed(''), fixed(`Stopped by ${report.interrupted}: the states not started did not run.`));
  }
  const shown = report.results.filter((r) => r.result !== true || r.changes.length);
  if (!shown.length) {
    out.push(fixed(''), fixed('No changes.'));
    return out;
  }
  const bySls = new Map<string, StateResult[]>();
  for (const r of shown) bySls.set(r.sls, [...(bySls.get(r.sls) ?? []), r]);
  const total = new Map<string, number>();
  for (const r of report.results) total.set(r.sls, (total.get(r.sls) ?? 0) + 1);
  for (const [sls, rs] of bySls) {
    const same = (total.get(sls) ?? rs.length) - rs.length;
    out.push(fixed(''), fixed(`#### \`${sls}\`: ${rs.length} state(s)${same ? `, ${same} unchanged` : ''}`), fixed(''));
    out.push(fixed('| | State | Function | Name | Comment | Location |'), fixed('|---|---|---|---|---|---|'));
    for (const r of rs) {
      const where = `${cell(r.file)}:${r.line}`;
      const fn = `${r.module}.${r.fun}`;
      const text = `| ${icon(r)} | \`${cell(r.id)}\` | ${fn} | \`${cell(r.name)}\` | ${cell(r.comment)} | ${where} |`;
      out.push({ kind: 'row', text });
    }
    for (const r of rs) out.push(...stateDetails(r));
  }
  return out;
}

export function formatMarkdown(report: RunReport, limit?: number): string {
  return fitMarkdown(reportBlocks(report), limit);
}

export interface MarkdownHost {
  label: string;
  address?: string;
  status: string;
  error?: string;
  warning?: string;
  report?: RunReport;
  /** Extra lines after the host's report (a saved plan's "as planned"). */
  note?: string;
}

/** push --out markdown: one comment, a table of the hosts, then a section per host. */
/** `stopped`: why a rollout stopped early and the hosts it did not start (a line under the table). */
export function formatMarkdownHosts(
  hosts: MarkdownHost[],
  o: { test: boolean; limit?: number; stopped?: string },
): string {
  const blocks: MdBlock[] = [fixed(`### brine push${o.test ? ' (dry run)' : ''}: ${hosts.length} host(s)`), fixed('')];
  blocks.push(fixed('| Host | Status | Changed | Failed | States |'), fixed('|---|---|---|---|---|'));
  for (const h of hosts) {
    const s = h.report ? summarize(h.report) : undefined;
    const changed = s ? String(o.test ? s.pending : s.changed) : '';
    // a host a rollout never started: its error says so ('not started: ...')
    const status =
      h.status === 'skipped' && h.error ? cell(h.error) : `${cell(h.status)}${h.error ? `: ${cell(h.error)}` : ''}`;
    const counts = `${changed} | ${s ? s.failed : ''} | ${s ? s.total : ''}`;
    blocks.push(fixed(`| \`${cell(h.label)}\` | ${status} | ${counts} |`));
  }
  if (o.stopped) blocks.push(fixed(''), fixed(`**${o.stopped}**`));
  for (const h of hosts) {
    if (!h.report) continue;
    const title = `### \`${h.label}\`${h.address && h.address !== h.label ? ` (${h.address})` : ''}`;
    blocks.push(fixed(''), ...reportBlocks(h.report, title));
    if (h.warning) blocks.push(fixed(''), fixed(`> warning: ${h.warning}`));
    if (h.note) blocks.push(fixed(''), fixed(h.note.trim()));
  }
  return fitMarkdown(blocks, o.limit);
}
