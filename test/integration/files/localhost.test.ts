// LocalHost itself: --root mapping, exec environment and results, atomic writes under any umask.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';

describe('LocalHost', () => {
  const root = mkdtempSync(join(tmpdir(), 'brine-lh-'));
  const h = new LocalHost({ root });

  it('resolves every path under root and tells commands BRINE_ROOT', async () => {
    await h.mkdir('/etc/app', { recursive: true, mode: 0o750 });
    await h.writeFileAtomic('/etc/app/conf', 'x');
    expect(statSync(join(root, 'etc/app')).mode & 0o7777).toBe(0o750);
    expect(await h.readFile('/etc/app/conf')).toEqual(Buffer.from('x'));
    await h.rename('/etc/app/conf', '/etc/app/conf2');
    expect(await h.hash('/etc/app/conf2')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    expect(await h.hash('/etc/app/nope')).toBeNull();
    expect(await h.stat('/etc/app/nope')).toBeNull();
    const r = await h.exec(['sh', '-c', 'echo "$BRINE_ROOT"; env | sort | cut -d= -f1 | tr "\\n" " "']);
    expect(r.stdout.split('\n')[0]).toBe(root);
    const names = r.stdout.split('\n')[1]!.trim().split(' ');
    expect(names).toEqual(expect.arrayContaining(['BRINE_ROOT', 'HOME', 'LANG', 'PATH', 'USER']));
    expect(
      names.filter(
        (n) => !['BRINE_ROOT', 'HOME', 'LANG', 'LOGNAME', 'PATH', 'PWD', 'SHLVL', 'USER', 'OLDPWD', '_'].includes(n),
      ),
    ).toEqual([]);
    expect(r.stdout).not.toMatch(/VITEST|NODE_OPTIONS/);
  });

  it('reports non-zero exits, missing commands and timeouts as results', async () => {
    expect(await h.exec(['sh', '-c', 'echo e >&2; exit 7'])).toMatchObject({ exitCode: 7, stderr: 'e\n' });
    expect((await h.exec(['no-such-command-xyz'])).exitCode).toBe(127);
    const t0 = Date.now();
    const r = await h.exec(['sh', '-c', 'sleep 30; echo never'], { timeoutMs: 300 });
    expect(r).toMatchObject({ timedOut: true, exitCode: 124 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await h.exec(['id', '-un'], { user: 'nobody' })).toMatchObject({ exitCode: 0, stdout: 'nobody\n' });
  });

  it(
    'writes atomically with the exact mode whatever the umask, keeps mode/owner of a replaced file, leaves no temp ' +
      'files',
    async () => {
      const old = process.umask(0o077);
      try {
        await h.writeFileAtomic('/w', 'a', { mode: 0o664, owner: 'nobody', group: 'nogroup' });
      } finally {
        process.umask(old);
      }
      expect(await h.stat('/w')).toMatchObject({ mode: 0o664, user: 'nobody', group: 'nogroup' });
      await h.writeFileAtomic('/w', 'b');
      expect(await h.stat('/w')).toMatchObject({ mode: 0o664, user: 'nobody', size: 1 });
      await expect(h.writeFileAtomic('/w', 'c', { owner: 'no-such-user-xyz' })).rejects.toThrow(
        /unknown user 'no-such-user-xyz'/,
      );
      expect(readdirSync(root).filter((f) => f.includes('brine-'))).toEqual([]);
      await h.remove('/w');
      await h.remove('/w');
      await h.remove('/etc', { recursive: true });
      expect(await h.lstat('/etc')).toBeNull();
    },
  );
});
