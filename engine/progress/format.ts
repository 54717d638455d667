// Words and numbers the progress views share: a state's outcome, a host's end, durations.
import type { StateResult } from '../run/types.js';
import type { StateStart } from '../run/progress.js';
import type { HostEnd } from './types.js';

export function secs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

export function stateName(s: StateStart | StateResult): string {
  return `${s.module}.${s.fun}: ${s.id}${s.name !== s.id ? ` (${s.name})` : ''}`;
}

export function outcomeWord(r: StateResult): string {
  if (r.result === false) return 'failed';
  if (r.result === null) return 'would change';
  return r.changes.length ? 'changed' : 'ok';
}

export function endText(e: HostEnd): string {
  if ('error' in e) return `${e.status}: ${e.error} (${secs(e.durationMs)})`;
  const word = e.status === 'pending' ? 'would change' : e.status;
  return `${word}, ${e.changed} changed, ${e.failed} failed (${secs(e.durationMs)})`;
}

/** The states running on a host, the first three by name: a wave's states run together. */
export function runningNames(names: string[]): string {
  return [...names.slice(0, 3), ...(names.length > 3 ? [`${names.length - 3} more`] : [])].join(', ');
}
