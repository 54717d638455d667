// The push summary table and exit code.
import { describe, expect, it } from 'vitest';
import type { HostOutcome } from '../../../engine/push/push-host.js';
import { formatSummaryTable, pushExitCode } from '../../../engine/push/summary.js';

const ok = (label: string, changed = 0): HostOutcome => ({
  label,
  status: 'ok',
  durationMs: 1234,
  roundTrips: 17,
  summary: { total: 3, succeeded: 3, failed: 0, changed, pending: 0, duration_ms: 1000 },
});
const down: HostOutcome = {
  label: 'db1',
  status: 'unreachable',
  error: 'db1: connect ECONNREFUSED',
  durationMs: 10,
  errorExitCode: 1,
};

describe('push summary', () => {
  it('prints one row per host with counts, or the reason it was unreachable', () => {
    const t = formatSummaryTable([ok('web1', 2), down]);
    expect(t).toMatch(/HOST\s+STATUS\s+OK\s+CHANGED\s+FAILED\s+TIME/);
    expect(t).toMatch(/web1\s+ok\s+1\s+2\s+0\s+1\.2s\s+17 round trips/);
    expect(t).toMatch(/db1\s+unreachable\s+0\.0s\s+db1: connect ECONNREFUSED/);
    expect(t).toContain('2 host(s): 1 ok, 1 unreachable');
  });

  it('exits 1 when any host failed or was unreachable, 2 for pending --test changes, else 0', () => {
    expect(pushExitCode([ok('a'), ok('b')])).toBe(0);
    expect(pushExitCode([ok('a'), down])).toBe(1);
    expect(pushExitCode([ok('a'), { ...ok('b'), status: 'pending' }])).toBe(2);
    expect(
      pushExitCode([
        { ...ok('b'), status: 'failed' },
        { ...ok('c'), status: 'pending' },
      ]),
    ).toBe(1);
  });

  it('exits 3 when every failure is bad input (compile error), 1 if a host also failed', () => {
    const bad: HostOutcome = { label: 'a', status: 'error', error: 'x.sls:3: bad', errorExitCode: 3, durationMs: 1 };
    expect(pushExitCode([bad, { ...bad, label: 'b' }])).toBe(3);
    expect(pushExitCode([bad, down])).toBe(1);
    // a rollout the compile errors stopped: still the input to fix
    const stop = { reason: 'budget' as const, batchesRun: 1, batches: 2, failures: 1, budget: 0, notStarted: ['b'] };
    expect(pushExitCode([bad, { label: 'b', status: 'skipped', durationMs: 0 }], stop)).toBe(3);
    expect(pushExitCode([down, { label: 'b', status: 'skipped', durationMs: 0 }], stop)).toBe(5);
  });
});
