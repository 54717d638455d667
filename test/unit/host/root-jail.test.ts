import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInRoot } from '../../../engine/host/root-jail.js';

const root = mkdtempSync(join(tmpdir(), 'brine-jail-'));
mkdirSync(join(root, 'run'));
mkdirSync(join(root, 'etc/bar'), { recursive: true });
mkdirSync(join(root, 'var'));
symlinkSync('/run', join(root, 'var/run'));
symlinkSync('/etc/bar', join(root, 'etc/foo'));
symlinkSync('/../../etc', join(root, 'evil'));
symlinkSync('../../../../../etc', join(root, 'etc/up'));
symlinkSync('loop2', join(root, 'loop1'));
symlinkSync('loop1', join(root, 'loop2'));
symlinkSync('bar', join(root, 'etc/rel'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveInRoot', () => {
  it('an absolute directory link resolves inside the root (Debian /var/run -> /run)', () => {
    expect(resolveInRoot(root, '/var/run/x', true)).toBe('/run/x');
    expect(resolveInRoot(root, '/var/run', true)).toBe('/run');
    expect(resolveInRoot(root, '/etc/foo/conf', true)).toBe('/etc/bar/conf');
    expect(resolveInRoot(root, '/etc/rel/conf', true)).toBe('/etc/bar/conf');
  });

  it('the last component is kept when not followed (lstat, unlink, rename act on the link)', () => {
    expect(resolveInRoot(root, '/var/run', false)).toBe('/var/run');
    expect(resolveInRoot(root, '/var/run/x', false)).toBe('/run/x');
  });

  it('no link or .. climbs out of the root', () => {
    expect(resolveInRoot(root, '/evil/passwd', true)).toBe('/etc/passwd');
    expect(resolveInRoot(root, '/etc/up/passwd', true)).toBe('/etc/passwd');
    expect(resolveInRoot(root, '/../../../etc/shadow', true)).toBe('/etc/shadow');
    expect(resolveInRoot(root, '/missing/../../x', true)).toBe('/x');
  });

  it('a link loop is ELOOP, not a hang', () => {
    expect(() => resolveInRoot(root, '/loop1/x', true)).toThrow(/too many levels of symbolic links/);
  });
});
