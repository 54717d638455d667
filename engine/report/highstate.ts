// Salt-style highstate text: changed and failed states in full, clean ones on one line
// (Salt's state_output: changes), then the summary.
import { Chalk } from 'chalk';
import type { RunReport, StateResult } from '../run/types.js';
import { changeLine, dataLines } from './changes.js';
import { summarize } from './summary.js';

export interface HighstateOptions {
  color: boolean;
  /** Show unchanged successful states in full too. */
  full?: boolean;
}

function resultWord(r: StateResult): string {
  return r.result === null ? 'None' : r.result ? 'True' : 'False';
}

function clock(iso: string): string {
  return iso.slice(11, 23);
}

export function formatHighstate(report: RunReport, o: HighstateOptions): string {
  const c = new Chalk({ level: o.color ? 1 : 0 });
  const out: string[] = [];
  const pad = (label: string) => label.padStart(12);
  for (const r of report.results) {
    const colour = r.result === false ? c.red : r.result === null ? c.yellow : r.changes.length ? c.cyan : c.green;
    const clean = r.result === true && r.changes.length === 0;
    if (clean && !o.full) {
      out.push(
        colour(
          `  Name: ${r.name} - Function: ${r.module}.${r.fun} - Result: Clean - ` +
            `Started: ${clock(r.startedAt)} - Duration: ${r.durationMs} ms`,
        ),
      );
      continue;
    }
    out.push(colour('----------'));
    out.push(colour(`${pad('ID')}: ${r.id}`));
    out.push(colour(`${pad('Function')}: ${r.module}.${r.fun}`));
    out.push(colour(`${pad('Name')}: ${r.name}`));
    out.push(colour(`${pad('Result')}: ${resultWord(r)}`));
    const comment = r.comment.split('\n');
    out.push(
      colour(`${pad('Comment')}: ${comment[0]}`),
      ...comment.slice(1).map((l) => colour(`${' '.repeat(14)}${l}`)),
    );
    out.push(colour(`${pad('Started')}: ${clock(r.startedAt)}`));
    out.push(colour(`${pad('Duration')}: ${r.durationMs} ms`));
    out.push(colour(`${pad('Changes')}:`));
    const ind = ' '.repeat(14);
    for (const ch of r.changes) {
      out.push(c.cyan(`${ind}${changeLine(ch)}`));
      if (ch.diff) {
        for (const l of ch.diff.replace(/\n$/, '').split('\n')) {
          const col =
            l.startsWith('+') && !l.startsWith('+++')
              ? c.green
              : l.startsWith('-') && !l.startsWith('---')
                ? c.red
                : c.cyan;
          out.push(col(`${ind}    ${l}`));
        }
      }
    }
    for (const l of dataLines(r.data)) out.push(c.cyan(`${ind}${l}`));
    for (const w of r.warnings ?? []) out.push(c.yellow(`${pad('Warning')}: ${w}`));
  }
  const s = summarize(report);
  out.push('', `Summary for ${report.host}${report.test ? ' (test)' : ''}`, '------------');
  const succ = report.test
    ? `Succeeded: ${s.succeeded} (unchanged=${s.succeeded - s.changed}, changed=${s.changed})`
    : `Succeeded: ${s.succeeded} (changed=${s.changed})`;
  out.push(c.green(succ));
  out.push((s.failed ? c.red : c.cyan)(`Failed:    ${s.failed}`));
  if (report.aborted) out.push(c.red(`Aborted:   failhard after ${report.aborted} failed`));
  if (report.interrupted) out.push(c.yellow(`Stopped:   by ${report.interrupted}: the states not started did not run`));
  out.push(
    '------------',
    `Total states run:     ${s.total}`,
    `Total run time: ${(report.durationMs / 1000).toFixed(3)} s`,
  );
  return `${out.join('\n')}\n`;
}
