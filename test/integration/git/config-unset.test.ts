// git.config_unset on real git: in a scratch repository (a key regex over a section, value_regex,
// a multivar that needs all: True) and in a scratch user's global config (as the users formula
// does); dry run exact, the real run unsets exactly that, a second run changes nothing; a user that
// does not exist is a missing fact (a dry run defers it to the user.present that creates it).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { MissingFactError } from '../../../engine/run/missing-fact.js';
import { configUnset } from '../../../modules/git/config-unset.js';
import { checkApply, plan } from '../../support/checkapply.js';

const dir = mkdtempSync(join(tmpdir(), 'brine-gitunset-'));
chmodSync(dir, 0o755); // the scratch user reaches its home below it
const repo = join(dir, 'repo');
execFileSync('git', ['init', '-q', repo]);
const user = `brine-gu${process.pid % 100000}`;
const home = join(dir, 'home');
execFileSync('useradd', ['-m', '-d', home, '-s', '/bin/sh', user]);
afterAll(() => {
  execFileSync('userdel', [user]);
  rmSync(dir, { recursive: true, force: true });
});
const host = new LocalHost();
const cfg = (...args: string[]) => execFileSync('git', ['-C', repo, 'config', '--local', ...args]);
const all = () =>
  execFileSync('git', ['-C', repo, 'config', '--local', '--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /^(color|push|remote)\./.test(l));

describe('git.config_unset', () => {
  it('unsets every key the regex names: dry run exact, applied, then idempotent', async () => {
    cfg('color.ui', 'auto');
    cfg('color.diff', 'true');
    cfg('push.default', 'simple');
    const args = { name: 'color\\..+', repo };
    expect(await plan(host, configUnset, args)).toEqual([
      { op: 'delete', target: 'color.ui', kind: 'config', before: ['auto'] },
      { op: 'delete', target: 'color.diff', kind: 'config', before: ['true'] },
    ]);
    expect(all()).toEqual(['color.ui=auto', 'color.diff=true', 'push.default=simple']);
    const r = await checkApply(host, configUnset, args);
    expect(r.planned).toHaveLength(2);
    expect(r.replanned).toEqual([]);
    expect(all()).toEqual(['push.default=simple']);
    // the name is anchored: 'push' alone names no key
    expect(await plan(host, configUnset, { name: 'push', repo })).toEqual([]);
  });

  it('a multivar needs all: True; value_regex unsets only the values it matches', async () => {
    cfg('--add', 'remote.o.fetch', '+refs/heads/*');
    cfg('--add', 'remote.o.fetch', '+refs/tags/*');
    cfg('--add', 'remote.o.fetch', 'keep');
    await expect(plan(host, configUnset, { name: 'remote.o.fetch', repo })).rejects.toThrow(
      /set 'all' to True.*remote\.o\.fetch \(\+refs\/heads\/\*, \+refs\/tags\/\*, keep\)/,
    );
    const args = { name: 'remote.o.fetch', repo, value_regex: '^\\+refs', all: true };
    const r = await checkApply(host, configUnset, args);
    expect(r.planned).toEqual([
      { op: 'delete', target: 'remote.o.fetch', kind: 'config', before: ['+refs/heads/*', '+refs/tags/*'] },
    ]);
    expect(r.replanned).toEqual([]);
    expect(all()).toEqual(['push.default=simple', 'remote.o.fetch=keep']);
  });

  it("global: True acts on the user's ~/.gitconfig, run as that user", async () => {
    execFileSync('runuser', [
      '-u',
      user,
      '--',
      'env',
      `HOME=${home}`,
      'git',
      'config',
      '--global',
      'push.default',
      'x',
    ]);
    const args = { name: 'push.default', global: true, user, all: true };
    expect(await plan(host, configUnset, args)).toEqual([
      { op: 'delete', target: 'push.default', kind: 'config', before: ['x'] },
    ]);
    const r = await checkApply(host, configUnset, args);
    expect(r.replanned).toEqual([]);
    expect(readFileSync(join(home, '.gitconfig'), 'utf8')).not.toMatch(/default/);
    // no ~/.gitconfig at all: nothing to unset
    rmSync(join(home, '.gitconfig'));
    expect(await plan(host, configUnset, args)).toEqual([]);
    expect(existsSync(join(home, '.gitconfig'))).toBe(false);
  });

  it('a user that does not exist is a missing fact naming the user', async () => {
    const p = plan(host, configUnset, { name: 'push.default', global: true, user: 'brine-no-such-user' });
    await expect(p).rejects.toBeInstanceOf(MissingFactError);
    await expect(p).rejects.toThrow(/user 'brine-no-such-user' does not exist/);
  });
});
