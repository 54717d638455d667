// The booted-Debian harness itself: systemd is PID 1 and running, sshd answers on the target's
// port with its pinned host key, copies are independent, stop() removes the copy.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargets, type Target } from '../../harness/nspawn.js';

describe('test harness: booted Debian 12 targets', () => {
  let ts: Target[] = [];
  beforeAll(async () => {
    ts = await startTargets(2);
  });
  afterAll(async () => {
    await Promise.all(ts.map((t) => t.stop()));
  });

  it('boots systemd and answers over ssh', async () => {
    for (const t of ts) {
      const r = await t.ssh(
        'cat /proc/1/comm; systemctl is-system-running; . /etc/os-release; echo $VERSION_CODENAME; hostname',
      );
      expect(r.exitCode).toBe(0);
      const [comm, state, codename, hostname] = r.stdout.split('\n');
      expect(comm).toBe('systemd');
      expect(['running', 'degraded']).toContain(state);
      expect(codename).toBe('bookworm');
      expect(hostname).toBe(t.name);
    }
    expect(new Set(ts.map((t) => t.port)).size).toBe(2);
  });

  it('gives each target its own copy', async () => {
    const [a, b] = ts as [Target, Target];
    expect((await a.ssh('echo hello > /root/mark')).exitCode).toBe(0);
    expect((await b.ssh('test -e /root/mark')).exitCode).toBe(1);
    expect(existsSync(`${a.rootfs}/root/mark`)).toBe(true);
  });

  it('stop() powers off and removes the copy', async () => {
    const t = ts.pop() as Target;
    const root = t.rootfs;
    await t.stop();
    expect(existsSync(root)).toBe(false);
    expect((await t.ssh('true', { timeoutMs: 10_000 })).exitCode).not.toBe(0);
  });
});
