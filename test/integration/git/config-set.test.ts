// git.config_set on real git in a scratch repository: the dry run names the key with old and new
// values, the real run makes exactly that, a second run changes nothing; multivar keeps order;
// a key needs repo or global (schema); a path that is no repository fails with git's message.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { configSet } from '../../../modules/git/config-set.js';
import { lookupFunction } from '../../../modules/index.js';
import { checkApply, plan } from '../../support/checkapply.js';

const dir = mkdtempSync(join(tmpdir(), 'brine-gitcfg-'));
const repo = join(dir, 'repo');
execFileSync('git', ['init', '-q', repo]);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const host = new LocalHost();
const getAll = (key: string) => {
  try {
    return execFileSync('git', ['-C', repo, 'config', '--local', '--get-all', key], { encoding: 'utf8' })
      .trim()
      .split('\n');
  } catch {
    return [];
  }
};

describe('git.config_set', () => {
  it('is registered', () => {
    expect(lookupFunction('git', 'config_set')).toBe(configSet);
  });

  it('sets a single value: dry run exact, then applied, then idempotent', async () => {
    const args = { name: 'user.email', value: 'ops@example.org', repo };
    expect(await plan(host, configSet, args)).toEqual([
      { op: 'create', target: 'user.email', kind: 'config', before: [], after: ['ops@example.org'] },
    ]);
    expect(getAll('user.email')).toEqual([]);
    const r = await checkApply(host, configSet, args);
    expect(r.planned).toHaveLength(1);
    expect(r.replanned).toEqual([]);
    expect(getAll('user.email')).toEqual(['ops@example.org']);
    const next = { ...args, value: 'other@example.org' };
    expect(await plan(host, configSet, next)).toEqual([
      { op: 'update', target: 'user.email', kind: 'config', before: ['ops@example.org'], after: ['other@example.org'] },
    ]);
    await checkApply(host, configSet, next);
    expect(getAll('user.email')).toEqual(['other@example.org']);
  });

  it('replaces every value of a multi-valued key with one value; booleans as git writes them', async () => {
    execFileSync('git', ['-C', repo, 'config', '--add', 'x.many', 'a']);
    execFileSync('git', ['-C', repo, 'config', '--add', 'x.many', 'b']);
    const r = await checkApply(host, configSet, { name: 'x.many', value: true, repo });
    expect(r.planned[0]).toMatchObject({ op: 'update', before: ['a', 'b'], after: ['true'] });
    expect(r.replanned).toEqual([]);
    expect(getAll('x.many')).toEqual(['true']);
  });

  it('multivar sets exactly the list, in order', async () => {
    const args = {
      name: 'remote.origin.fetch',
      multivar: ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'],
      repo,
    };
    const r = await checkApply(host, configSet, args);
    expect(r.planned[0]).toMatchObject({ op: 'create', after: args.multivar });
    expect(r.replanned).toEqual([]);
    expect(getAll('remote.origin.fetch')).toEqual(args.multivar);
    const fewer = { ...args, multivar: ['+refs/tags/*:refs/tags/*'] };
    const r2 = await checkApply(host, configSet, fewer);
    expect(r2.planned[0]).toMatchObject({ op: 'update', before: args.multivar, after: fewer.multivar });
    expect(getAll('remote.origin.fetch')).toEqual(fewer.multivar);
    expect(await plan(host, configSet, fewer)).toEqual([]);
  });

  it("fails with git's message on a path that is not a repository", async () => {
    await expect(plan(host, configSet, { name: 'a.b', value: 'c', repo: join(dir, 'none') })).rejects.toThrow(
      /git config a\.b/,
    );
  });

  it('schema: needs value or multivar, and repo or global', () => {
    const v = new Ajv({ allErrors: true, strict: false }).compile(configSet.schema);
    expect(v({ name: 'a.b', value: 'c', repo: '/r' })).toBe(true);
    expect(v({ name: 'a.b', multivar: ['c'], global: true, user: 'app' })).toBe(true);
    expect(v({ name: 'a.b', value: 'c' })).toBe(false);
    expect(v({ name: 'a.b', value: 'c', global: false })).toBe(false);
    expect(v({ name: 'a.b', repo: '/r' })).toBe(false);
    expect(v({ name: 'a.b', value: 'c', multivar: ['d'], repo: '/r' })).toBe(false);
  });
});
