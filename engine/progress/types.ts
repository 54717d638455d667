// What a progress view is told: per host, the run's events (engine/run/progress.ts) plus the host's
// end; hosts a rollout never started are named as skipped. Views: live.ts (a terminal), lines.ts (logs).
import type { RunProgress } from '../run/progress.js';

export type HostEnd =
  | { status: 'ok' | 'pending' | 'failed'; changed: number; failed: number; durationMs: number }
  | { status: 'unreachable' | 'error'; error: string; durationMs: number };

export interface HostProgress extends RunProgress {
  done(end: HostEnd): void;
}

export interface ProgressView {
  /** A live view draws on the terminal: the caller holds its own output until end(). */
  live: boolean;
  /** The events of one host's run (label: the host as the operator named it; '' for a local run). */
  host(label: string): HostProgress;
  /** A host the run will not start (a rollout stopped before its batch). */
  skipped(label: string, why: string): void;
  /**
   * A notice for the operator (a signal, a lock wait, the next batch): a live view holds the
   * terminal, so it shows the notice under its lines; the other views leave it to the caller.
   */
  note?(text: string): void;
  /** Stops the view (a live view leaves its final state on the terminal). */
  end(): Promise<void>;
}

export interface ViewOptions {
  /** Every host of the run, in order (the live view shows them all from the start). */
  labels: string[];
  /** Redacts secrets from what the view prints (state names and errors can hold them). */
  redact: (text: string) => string;
  color: boolean;
}
