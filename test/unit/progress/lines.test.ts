// The progress lines a run prints when it is not on a terminal: one per state as it finishes,
// phases and the host's end, a line for what still runs after a quiet while, secrets redacted.
import { describe, expect, it } from 'vitest';
import { lineView } from '../../../engine/progress/lines.js';
import { openProgress } from '../../../engine/progress/index.js';
import type { StateResult } from '../../../engine/run/types.js';

const result = (id: string, result: boolean | null, changes = 0): StateResult => ({
  key: `file_|-${id}_|-${id}_|-managed`,
  id,
  name: id,
  module: 'file',
  fun: 'managed',
  sls: 'x',
  file: 'x.sls',
  line: 1,
  result,
  comment: '',
  changes: Array.from({ length: changes }, () => ({ op: 'create' as const, target: id })),
  startedAt: new Date().toISOString(),
  durationMs: 1234,
  runNum: 0,
});

describe('line view', () => {
  it('prints a line per finished state with done/total and the outcome, and the host end', async () => {
    const out: string[] = [];
    const v = lineView({
      labels: ['web1'],
      redact: (s) => s.replaceAll('hunter2', '******'),
      color: false,
      write: (s) => out.push(s),
    });
    const h = v.host('web1');
    h.phase?.('compiling');
    h.planned?.(3);
    h.finished?.(result('/etc/a', true));
    h.finished?.(result('/etc/hunter2', true, 1));
    h.finished?.(result('/etc/c', false));
    h.done({ status: 'failed', changed: 1, failed: 1, durationMs: 4000 });
    v.skipped('web2', 'the rollout stopped');
    await v.end();
    expect(out).toEqual([
      'brine: web1: compiling\n',
      'brine: web1: [1/3] ok file.managed: /etc/a (1.2s)\n',
      'brine: web1: [2/3] changed file.managed: /etc/****** (1.2s)\n',
      'brine: web1: [3/3] failed file.managed: /etc/c (1.2s)\n',
      'brine: web1: done: failed, 1 changed, 1 failed (4.0s)\n',
      'brine: web2: not started: the rollout stopped\n',
    ]);
  });

  it('says what still runs when nothing was printed for a while', async () => {
    const out: string[] = [];
    const v = lineView({ labels: ['db1'], redact: (s) => s, color: false, write: (s) => out.push(s), heartbeatMs: 50 });
    const h = v.host('db1');
    h.planned?.(1);
    h.started?.({ key: 'k', id: 'postgres', name: 'postgresql', module: 'pkg', fun: 'installed' });
    await new Promise((r) => setTimeout(r, 300));
    await v.end();
    expect(out.some((l) => /^brine: db1: still running pkg\.installed: postgres \(postgresql\) \(\d/.test(l))).toBe(
      true,
    );
  });

  it('is chosen off a terminal, and --quiet or BRINE_PROGRESS=off print nothing', async () => {
    const tty = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
    expect((await openProgress({ labels: ['a'], redact: (s) => s, stdout: tty, stderr: tty, env: {} })).live).toBe(
      false,
    );
    const quiet = await openProgress({
      labels: ['a'],
      redact: (s) => s,
      quiet: true,
      stdout: tty,
      stderr: tty,
      env: {},
    });
    const off = await openProgress({
      labels: ['a'],
      redact: (s) => s,
      stdout: tty,
      stderr: tty,
      env: { BRINE_PROGRESS: 'off' },
    });
    for (const v of [quiet, off]) {
      const h = v.host('a');
      expect(h.finished).toBeUndefined();
      h.done({ status: 'ok', changed: 0, failed: 0, durationMs: 1 });
    }
  });
});
