// Stopping a run from outside (SIGINT/SIGTERM): the runner starts no new state once a stop is
// requested; states already in flight finish (a file write is atomic: it completes or leaves
// only its temp file). `partial()` is the report so far, for a caller that abandons the run.
import type { RunReport } from './types.js';

/** The exit code of a run a signal stopped (130 SIGINT, 143 SIGTERM, as a shell reports them). */
export const STOP_EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function stopExitCode(reason: string): number {
  return STOP_EXIT_CODES[reason] ?? 1;
}

export class RunControl {
  /** Why the run stops (e.g. 'SIGTERM'); undefined while it runs. */
  stopped: string | undefined;
  private partials: Array<() => RunReport> = [];
  private listeners: Array<(reason: string) => void> = [];

  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    for (const l of this.listeners.splice(0)) l(reason);
  }

  /** Calls back once a stop is requested (at once when it already was). */
  onStop(cb: (reason: string) => void): void {
    if (this.stopped) cb(this.stopped);
    else this.listeners.push(cb);
  }

  /** The runner registers how to report what it has done so far (one per host). */
  track(partial: () => RunReport): () => void {
    this.partials.push(partial);
    return () => {
      this.partials = this.partials.filter((p) => p !== partial);
    };
  }

  /** Reports of the runs still going, as far as they got. */
  partial(): RunReport[] {
    return this.partials.map((p) => p());
  }
}
