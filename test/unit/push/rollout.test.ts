// Rolling pushes: --batch/--max-fail parsing, batch sizes and budgets, and the scheduler that
// stops starting batches once failures pass the budget.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../engine/errors.js';
import { batchSize, failBudget, parseAmount, splitBatches } from '../../../engine/push/batches.js';
import { rollout } from '../../../engine/push/rollout.js';
import { formatRolloutStop, pushExitCode, ROLLOUT_STOPPED } from '../../../engine/push/summary.js';

describe('--batch / --max-fail amounts', () => {
  it('reads N and N%', () => {
    expect(parseAmount('--batch', '3')).toEqual({ n: 3, percent: false });
    expect(parseAmount('--batch', '25%')).toEqual({ n: 25, percent: true });
    expect(parseAmount('--max-fail', '0', { zero: true })).toEqual({ n: 0, percent: false });
  });
  it('refuses what is not a count or a percentage, naming the flag', () => {
    for (const bad of ['0', '-1', 'x', '1.5', '150%', ''])
      expect(() => parseAmount('--batch', bad)).toThrow(UsageError);
    expect(() => parseAmount('--max-fail', 'ten', { zero: true })).toThrow(/--max-fail must be/);
  });
  it('turns percentages into hosts: batches round up, budgets round down', () => {
    expect(batchSize({ n: 25, percent: true }, 10)).toBe(3);
    expect(batchSize({ n: 1, percent: true }, 10)).toBe(1);
    expect(batchSize({ n: 4, percent: false }, 10)).toBe(4);
    // more than there are hosts: one batch of them all (--out json's batchSize says so)
    expect(batchSize({ n: 99, percent: false }, 5)).toBe(5);
    expect(failBudget({ n: 25, percent: true }, 10)).toBe(2);
    expect(failBudget({ n: 5, percent: true }, 10)).toBe(0);
    expect(splitBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('rollout', () => {
  const run = (fail: Set<string>, budget: number, size: number, parallel = 8) => {
    const started: string[][] = [];
    const p = rollout({
      items: ['a', 'b', 'c', 'd', 'e'],
      batchSize: size,
      parallel,
      budget,
      label: (x) => x,
      failed: (r: { ok: boolean }) => !r.ok,
      onBatch: (_i, _n, items) => started.push(items),
      run: async (x) => ({ host: x, ok: !fail.has(x) }),
    });
    return { p, started };
  };

  it('runs batches one after another in the given order', async () => {
    const { p, started } = run(new Set(), 0, 2);
    const r = await p;
    expect(started).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(r.results.map((x) => x.host)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r.stop).toBeUndefined();
  });

  it('starts no batch once the failures pass the budget, and names the hosts never started', async () => {
    const { p, started } = run(new Set(['c']), 0, 2);
    const r = await p;
    expect(started).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(r.stop).toEqual({ reason: 'budget', batchesRun: 2, batches: 3, failures: 1, budget: 0, notStarted: ['e'] });
    expect(formatRolloutStop(r.stop!)).toBe(
      'rollout stopped after batch 2 of 3: 1 host(s) failed, more than --max-fail allows (0)\nnot started: e\n',
    );
    expect(pushExitCode([], r.stop)).toBe(ROLLOUT_STOPPED);
  });

  it('says unreachable hosts were unreachable, not that they failed', () => {
    const stop = { reason: 'budget' as const, batchesRun: 1, batches: 2, failures: 2, budget: 1, notStarted: ['c'] };
    const host = (label: string, status: 'failed' | 'unreachable') => ({ label, status, durationMs: 0 });
    expect(formatRolloutStop(stop, [host('a', 'unreachable'), host('b', 'unreachable')])).toBe(
      'rollout stopped after batch 1 of 2: 2 host(s) unreachable, more than --max-fail allows (1)\nnot started: c\n',
    );
    expect(formatRolloutStop(stop, [host('a', 'failed'), host('b', 'unreachable')])).toContain(
      ': 2 host(s) failed or unreachable (1 failed, 1 unreachable), more than --max-fail allows (1)\n',
    );
  });

  it('goes on while the failures stay within the budget', async () => {
    const r = await run(new Set(['a']), 1, 1).p;
    expect(r.stop).toBeUndefined();
    expect(r.results).toHaveLength(5);
  });

  it('keeps at most `parallel` hosts of a batch running at once', async () => {
    let now = 0;
    let peak = 0;
    await rollout({
      items: [1, 2, 3, 4, 5, 6],
      batchSize: 6,
      parallel: 2,
      budget: Infinity,
      label: String,
      failed: () => false,
      run: async () => {
        peak = Math.max(peak, ++now);
        await new Promise((r) => setTimeout(r, 5));
        now--;
      },
    });
    expect(peak).toBe(2);
  });

  it('pauses between batches only while the rollout goes on, never after the last', async () => {
    const calls: string[] = [];
    const go = (fail: Set<string>, budget: number) =>
      rollout({
        items: ['a', 'b', 'c'],
        batchSize: 1,
        parallel: 1,
        budget,
        label: (x) => x,
        failed: (r: { ok: boolean }) => !r.ok,
        run: async (x) => {
          calls.push(x);
          return { ok: !fail.has(x) };
        },
        between: async (next, of) => {
          calls.push(`wait ${next}/${of}`);
        },
      });
    await go(new Set(), 0);
    expect(calls.splice(0)).toEqual(['a', 'wait 1/3', 'b', 'wait 2/3', 'c']);
    await go(new Set(['b']), 0);
    expect(calls.splice(0)).toEqual(['a', 'wait 1/3', 'b']);
  });
});
