// The table printed after a push: one line per host with its counts and duration, or why it
// could not be reached; then the exit code the push ends with.
import type { HostOutcome } from './push-host.js';
import type { RolloutStop } from './rollout.js';

/** The exit code of a rollout that stopped because failures passed --max-fail. */
export const ROLLOUT_STOPPED = 5;

/** The STATUS column's word: a host a signal stopped before its last state reads `stopped`, not `ok`. */
function statusWord(h: HostOutcome): string {
  if (h.status === 'skipped') return 'not started';
  if (h.report?.interrupted && h.status !== 'failed') return 'stopped';
  return h.status === 'pending' ? 'would change' : h.status;
}

export function formatSummaryTable(outcomes: HostOutcome[]): string {
  const rows = outcomes.map((h) => {
    const s = h.summary;
    const secs = `${(h.durationMs / 1000).toFixed(1)}s`;
    if (h.status === 'unreachable') return [h.label, 'unreachable', '', '', '', secs, h.error ?? ''];
    if (h.status === 'skipped') return [h.label, 'not started', '', '', '', '', h.error ?? ''];
    if (!s) return [h.label, 'error', '', '', '', secs, h.error ?? ''];
    const status = statusWord(h);
    return [
      h.label,
      status,
      String(s.succeeded - s.changed),
      String(s.changed),
      String(s.failed),
      secs,
      `${h.roundTrips ?? '-'} round trips`,
    ];
  });
  const head = ['HOST', 'STATUS', 'OK', 'CHANGED', 'FAILED', 'TIME', ''];
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const counts = new Map<string, number>();
  for (const h of outcomes) {
    // the words of the STATUS column
    const k = statusWord(h);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const tally = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  return `\n${[line(head), ...rows.map(line)].join('\n')}\n${outcomes.length} host(s): ${tally}\n`;
}

/** How the failures a budget counted read: `2 host(s) unreachable`, `3 host(s) failed or unreachable (...)`. */
function failuresWords(s: RolloutStop, outcomes: HostOutcome[]): string {
  const unreachable = outcomes.filter((h) => h.status === 'unreachable').length;
  const failed = s.failures - unreachable;
  if (!unreachable || unreachable > s.failures) return `${s.failures} host(s) failed`;
  if (!failed) return `${unreachable} host(s) unreachable`;
  return `${s.failures} host(s) failed or unreachable (${failed} failed, ${unreachable} unreachable)`;
}

/** The lines after the table when a rollout stopped early (`outcomes`: to say unreachable ones so). */
export function formatRolloutStop(s: RolloutStop, outcomes: HostOutcome[] = []): string {
  const why =
    s.reason === 'budget'
      ? `${failuresWords(s, outcomes)}, more than --max-fail allows (${s.budget})`
      : 'stopped by a signal';
  return (
    `rollout stopped after ` +
    `batch ${s.batchesRun} of ${s.batches}: ${why}\nnot started: ${s.notStarted.join(', ')}\n`
  );
}

/**
 * 3 if every failure was bad input (a compile error stops a rollout too: the input is what to fix);
 * else 5 if a rollout stopped because failures passed --max-fail; else 1 if any host failed or was
 * unreachable, 2 --test with changes, else 0.
 */
export function pushExitCode(outcomes: HostOutcome[], stop?: RolloutStop): 0 | 1 | 2 | 3 | 5 {
  const bad = outcomes.filter((h) => h.status === 'failed' || h.status === 'unreachable' || h.status === 'error');
  if (bad.length && bad.every((h) => h.status === 'error' && h.errorExitCode === 3)) return 3;
  if (stop?.reason === 'budget') return ROLLOUT_STOPPED;
  if (bad.length) return 1;
  if (outcomes.some((h) => h.status === 'pending')) return 2;
  return 0;
}
