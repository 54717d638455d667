// How a refused apply names what differs: per state, the planned and the current change side by
// side (text: two columns; markdown: a table; json: both lists), the diffs of both below.
import type { Change } from '../../engine/contract.js';
import type { Redactor } from '../redact.js';
import type { OutFormat } from '../report/formats.js';
import { changeLine } from '../report/changes.js';
import type { HostCheck, PlanChange, PlanState, StateDifference } from './types.js';

/** A change on one line, hashes shortened to 12 characters (the diffs below show the content). */
const line = (c: PlanChange): string => changeLine(c as Change).replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1...');
function lines(s: PlanState | undefined, none: string): string[] {
  if (!s) return [none];
  if (s.deferred) return [`${s.comment} (known when it applies)`];
  return s.changes.length ? s.changes.map(line) : ['no change'];
}
const diffLines = (c: PlanChange): string[] => c.diff!.replace(/\n$/, '').split('\n');
const diffs = (s: PlanState | undefined): PlanChange[] => (s?.changes ?? []).filter((c) => c.diff);
const NOT_PLANNED = '(not in the plan)';
const GONE = '(not selected now)';

export function headline(c: HostCheck): string {
  if (c.wrongHost) return `${c.target ?? c.host}: plan refused: ${c.wrongHost}`;
  return `${c.target ?? c.host}: the plan no longer matches: ${c.differences.length} state(s) differ`;
}

function sideBySide(left: string[], right: string[]): string[] {
  const w = Math.min(60, Math.max(7, ...left.map((l) => l.length)));
  const out = [`    ${'planned'.padEnd(w)} | now`];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? '';
    out.push(`    ${(l.length > w ? `${l.slice(0, w - 3)}...` : l).padEnd(w)} | ${right[i] ?? ''}`.trimEnd());
  }
  return out;
}

function textState(d: StateDifference): string[] {
  const out = [`--- ${d.label} (${d.sls}, ${d.where}): ${d.why.join(', ')}`];
  out.push(...sideBySide(lines(d.planned, NOT_PLANNED), lines(d.current, GONE)));
  for (const [side, s] of [
    ['planned', d.planned],
    ['now', d.current],
  ] as const) {
    for (const c of diffs(s)) out.push(`    ${side}: ${c.op} ${c.target}`, ...diffLines(c).map((l) => `      ${l}`));
  }
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/`/g, "'");

function markdownState(d: StateDifference): string[] {
  const head = `**\`${cell(d.label)}\`** (${cell(d.sls)}, ${cell(d.where)}): ${d.why.join(', ')}`;
  const out = ['', head, '', '| planned | now |', '|---|---|'];
  const l = lines(d.planned, NOT_PLANNED);
  const r = lines(d.current, GONE);
  for (let i = 0; i < Math.max(l.length, r.length); i++) out.push(`| ${cell(l[i] ?? '')} | ${cell(r[i] ?? '')} |`);
  for (const [side, s] of [
    ['planned', d.planned],
    ['now', d.current],
  ] as const) {
    for (const c of diffs(s)) {
      const summary = `<details><summary>${side}: ${c.op} <code>${cell(c.target)}</code></summary>`;
      out.push('', summary, '', '```diff', ...diffLines(c), '```', '', '</details>');
    }
  }
  return out;
}

const jsonState = (d: StateDifference) => ({
  state: d.label,
  key: d.key,
  sls: d.sls,
  where: d.where,
  why: d.why,
  planned: d.planned ? { result: d.planned.result, comment: d.planned.comment, changes: d.planned.changes } : null,
  current: d.current ? { result: d.current.result, comment: d.current.comment, changes: d.current.changes } : null,
});

/** The refusal, for the hosts that differ (checks without differences are left out). */
export function formatDifferences(checks: HostCheck[], format: OutFormat, redactor: Redactor): string {
  const bad = checks.filter((c) => c.wrongHost || c.differences.length);
  if (format === 'json') {
    const doc = {
      version: 1,
      status: 'not as planned',
      hosts: bad.map((c) => ({
        host: c.host,
        ...(c.target ? { target: c.target } : {}),
        ...(c.wrongHost ? { refused: c.wrongHost } : {}),
        differences: c.differences.map(jsonState),
      })),
    };
    return redactor.redact(`${JSON.stringify(doc, null, 2)}\n`);
  }
  const out: string[] = [];
  for (const c of bad) {
    if (format === 'markdown') out.push(`### ${headline(c)}`, ...c.differences.flatMap(markdownState), '');
    else out.push(headline(c), ...c.differences.flatMap(textState), '');
  }
  return redactor.redact(`${out.join('\n')}\n`);
}
