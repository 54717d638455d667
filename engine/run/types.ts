// What a run produces: one result per chunk (declaration order), plus the run's summary facts.
import type { Change } from '../contract.js';

export interface StateResult {
  /** Salt's chunk key: module_|-id_|-name_|-fun */
  key: string;
  id: string;
  name: string;
  module: string;
  fun: string;
  sls: string;
  file: string;
  line: number;
  /** true: ok; false: failed; null: --test and it would change. */
  result: boolean | null;
  comment: string;
  changes: Change[];
  /** Extra output from apply/refresh (stdout, stderr, retcode...). */
  data?: Record<string, unknown>;
  warnings?: string[];
  /** ISO time the state started. */
  startedAt: string;
  durationMs: number;
  /** Execution sequence number (0-based, in start order). */
  runNum: number;
}

export interface RunReport {
  host: string;
  test: boolean;
  results: StateResult[];
  startedAt: string;
  durationMs: number;
  /** Set when failhard stopped scheduling: which state failed. */
  aborted?: string;
  /** Set when a stop was requested (SIGINT/SIGTERM): the states not started are not in results. */
  interrupted?: string;
}
