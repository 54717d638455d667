// The run lock's command also sweeps stale temp files, under the lock, in the same round trip.
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { acquireRunLock, RunLockError } from '../../../engine/host/run-lock.js';
import type { Host } from '../../../engine/host/host.js';

describe('run lock with the temp sweep', () => {
  it('removes only stale brine temp files, says which, and still holds the lock', async () => {
    const root = mkdtempSync(join(tmpdir(), 'brine-lock-root-'));
    const dir = mkdtempSync(join(tmpdir(), 'brine-lock-sweep-'));
    const stale = join(dir, '.app.conf.brine-0123456789ab');
    const fresh = join(dir, '.app.conf.brine-Ab12Cd');
    const other = join(dir, '.app.conf.bak');
    for (const f of [stale, fresh, other]) writeFileSync(f, 'x');
    // a wave's staging directories (ssh-ops-tar.ts): a stale one goes with its files, a fresh one stays
    const stage = join(dir, '.brine-stage-00112233aabb');
    const freshStage = join(dir, '.brine-stage-44556677ccdd');
    for (const s of [stage, freshStage]) {
      mkdirSync(s);
      writeFileSync(join(s, 'app.conf'), 'x');
    }
    const hourAgo = Date.now() / 1000 - 3600;
    utimesSync(stage, hourAgo, hourAgo);
    utimesSync(stale, hourAgo, hourAgo);
    utimesSync(other, hourAgo, hourAgo);
    utimesSync(fresh, hourAgo + 7200, hourAgo + 7200); // newer than the lock: another run's, kept
    utimesSync(freshStage, hourAgo + 7200, hourAgo + 7200);
    let holds = 0;
    const local = new LocalHost({ root });
    const host = new Proxy(local, {
      get(t, p) {
        if (p === 'hold')
          return (argv: string[], cb: (l: string) => void) => {
            holds++;
            return t.hold(argv, cb);
          };
        return Reflect.get(t, p);
      },
    }) as Host;
    const lock = await acquireRunLock(host, { waitMs: 0 }, [dir, join(dir, 'absent')]);
    try {
      expect(holds).toBe(1);
      expect(lock.removed).toEqual([stale, stage].sort());
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(stage)).toBe(false);
      expect(existsSync(join(freshStage, 'app.conf'))).toBe(true);
      expect(existsSync(fresh)).toBe(true);
      expect(existsSync(other)).toBe(true);
      await expect(acquireRunLock(local, { waitMs: 0 })).rejects.toBeInstanceOf(RunLockError);
    } finally {
      await lock.release();
    }
    const again = await acquireRunLock(local, { waitMs: 0 });
    expect(again.removed).toEqual([]);
    await again.release();
  });
});
