// The run's progress hook: the runner says when it knows how many states it will run, when a
// state starts and when it finishes. Views (a live view on a terminal, a line per state in logs)
// subscribe through RunOptions.progress; the runner never prints.
import type { StateResult } from './types.js';

export interface StateStart {
  key: string;
  id: string;
  name: string;
  module: string;
  fun: string;
}

/** The phase while another run holds the host's lock (its notice names the holder). */
export const LOCK_WAIT_PHASE = 'waiting for the run lock';

export interface RunProgress {
  /** What the run does before its states: 'connecting', 'compiling', 'reading facts'... */
  phase?(what: string): void;
  /** After compiling: the states this run holds. */
  planned?(total: number): void;
  started?(state: StateStart): void;
  finished?(result: StateResult): void;
}

/** Calls a listener without letting a view's bug break the run. */
export function emit<K extends keyof RunProgress>(
  p: RunProgress | undefined,
  k: K,
  ...args: Parameters<NonNullable<RunProgress[K]>>
): void {
  const fn = p?.[k] as ((...a: unknown[]) => void) | undefined;
  if (!fn) return;
  try {
    fn.apply(p, args);
  } catch {
    // a view that throws loses its update, the run goes on
  }
}
