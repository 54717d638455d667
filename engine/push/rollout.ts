// Runs the hosts batch after batch (each batch at most `parallel` hosts at once); once the failed
// hosts pass the budget, no further batch starts and the hosts left are named, never touched.
import PQueue from 'p-queue';
import { splitBatches } from './batches.js';

export interface RolloutStop {
  /** budget: the failures passed it; stopped: a signal. */
  reason: 'budget' | 'stopped';
  /** Batches that ran, of how many. */
  batchesRun: number;
  batches: number;
  failures: number;
  budget: number;
  /** Labels of the hosts no batch started. */
  notStarted: string[];
}

export interface RolloutOptions<T, R> {
  items: T[];
  /** Hosts per batch (items.length: one batch). */
  batchSize: number;
  parallel: number;
  /** Failures tolerated before the rollout stops (Infinity: no budget). */
  budget: number;
  run: (item: T) => Promise<R>;
  failed: (r: R) => boolean;
  label: (item: T) => string;
  /** No further batch starts (a signal). */
  stopped?: () => boolean;
  /** Called before each batch starts (index from 0). */
  onBatch?: (index: number, of: number, items: T[]) => void;
  /** Between two batches, when the rollout goes on: --batch-wait's pause (index of the next batch). */
  between?: (next: number, of: number) => Promise<void>;
}

export interface RolloutResult<R> {
  results: R[];
  stop?: RolloutStop;
}

export async function rollout<T, R>(o: RolloutOptions<T, R>): Promise<RolloutResult<R>> {
  const batches = splitBatches(o.items, Math.max(1, o.batchSize));
  const results: R[] = [];
  let failures = 0;
  for (let i = 0; i < batches.length; i++) {
    const over = failures > o.budget;
    if (i > 0 && (over || o.stopped?.())) {
      const notStarted = batches.slice(i).flat().map(o.label);
      return {
        results,
        stop: {
          reason: over ? 'budget' : 'stopped',
          batchesRun: i,
          batches: batches.length,
          failures,
          budget: o.budget,
          notStarted,
        },
      };
    }
    o.onBatch?.(i, batches.length, batches[i]!);
    const queue = new PQueue({ concurrency: o.parallel });
    const rs = await Promise.all(batches[i]!.map((t) => queue.add(() => o.run(t)) as Promise<R>));
    failures += rs.filter(o.failed).length;
    results.push(...rs);
    if (i + 1 < batches.length && failures <= o.budget && !o.stopped?.()) await o.between?.(i + 1, batches.length);
  }
  return { results };
}
