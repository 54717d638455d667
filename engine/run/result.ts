// The one place a StateResult is built: the chunk's identity, when it started, its place in the
// run, and what happened (an Outcome). execute, the listen step and aggregation all come here.
import type { Change } from '../contract.js';
import type { Chunk } from '../compile/types.js';
import type { StateResult } from './types.js';

/** What running a state came to. */
export interface Outcome {
  result: boolean | null;
  comment: string;
  changes: Change[];
  data?: Record<string, unknown>;
  /** The state did not run (a requisite failed): trying again would not help. */
  notRun?: boolean;
}

export interface ResultOptions {
  started: number;
  /** Execution sequence number; an absorbed state gets its own when the runner reaches it. */
  runNum: number;
  /** Default: the time from `started` until now. */
  durationMs?: number;
  warnings?: string[];
  /** A result that is not the chunk's own run (listen's mod_watch): its key suffix and function. */
  as?: { keySuffix: string; fun: string };
}

export function stateResult(chunk: Chunk, outcome: Outcome, o: ResultOptions): StateResult {
  const { notRun: _notRun, data, ...out } = outcome;
  return {
    key: o.as ? `${chunk.key}${o.as.keySuffix}` : chunk.key,
    id: chunk.id,
    name: chunk.name,
    module: chunk.module,
    fun: o.as ? o.as.fun : chunk.fun,
    sls: chunk.sls,
    file: chunk.loc.file,
    line: chunk.loc.line,
    ...out,
    ...(data ? { data } : {}),
    ...(o.warnings?.length ? { warnings: o.warnings } : {}),
    startedAt: new Date(o.started).toISOString(),
    durationMs: o.durationMs ?? Date.now() - o.started,
    runNum: o.runNum,
  };
}
