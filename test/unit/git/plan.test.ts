// git.latest as data: ls-remote parsing, rev resolution, and plan (args + facts -> changes);
// git.config_unset's plan.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { lookupFunction } from '../../../modules/index.js';
import { type GitLatestArgs, type GitLatestFacts, localRemotePath, planLatest } from '../../../modules/git/latest.js';
import { parseLsRemote, resolveRev } from '../../../modules/git/remote.js';
import { configUnset, keyRegex, parseGetRegexp, planUnset } from '../../../modules/git/config-unset.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const T = 'd'.repeat(40);

const LS = [
  'ref: refs/heads/main\tHEAD',
  `${A}\tHEAD`,
  `${A}\trefs/heads/main`,
  `${B}\trefs/heads/dev`,
  `${C}\trefs/tags/v1`,
  `${T}\trefs/tags/v1^{}`,
  `${B}\trefs/tags/light`,
].join('\n');

describe('ls-remote and revs', () => {
  const remote = parseLsRemote(LS);

  it('parses refs, the default branch and peels annotated tags', () => {
    expect(remote.headBranch).toBe('main');
    expect(remote.head).toBe(A);
    expect(remote.refs).toEqual({ 'refs/heads/main': A, 'refs/heads/dev': B, 'refs/tags/v1': T, 'refs/tags/light': B });
  });

  it('resolves HEAD, branches, tags and commits', () => {
    expect(resolveRev(remote, 'HEAD')).toEqual({ kind: 'head', commit: A, ref: 'refs/heads/main', branch: 'main' });
    expect(resolveRev(remote, 'dev')).toEqual({ kind: 'branch', commit: B, ref: 'refs/heads/dev', branch: 'dev' });
    expect(resolveRev(remote, 'refs/heads/dev')).toEqual({
      kind: 'branch',
      commit: B,
      ref: 'refs/heads/dev',
      branch: 'dev',
    });
    expect(resolveRev(remote, 'v1')).toEqual({ kind: 'tag', commit: T, ref: 'refs/tags/v1', branch: null });
    expect(resolveRev(remote, '1234abcd')).toEqual({ kind: 'commit', commit: '1234abcd', ref: null, branch: null });
    expect(resolveRev(remote, 'nope')).toBeNull();
    expect(resolveRev(parseLsRemote(''), 'HEAD')).toBeNull();
  });
});

const base: GitLatestArgs = { name: '/srv/src.git', target: '/app/ecs' };

function repo(over: Partial<GitLatestFacts> = {}): GitLatestFacts {
  return {
    target: 'repo',
    rev: { kind: 'head', commit: A, ref: 'refs/heads/main', branch: 'main' },
    wanted: A,
    head: A,
    branch: 'main',
    remoteUrl: '/srv/src.git',
    localChanges: [],
    fastForward: true,
    shallow: false,
    remoteError: null,
    ...over,
  };
}

describe('git.latest plan', () => {
  it('a checkout at the wanted commit on the wanted branch plans nothing', () => {
    expect(planLatest(base, repo())).toEqual([]);
  });

  it('a missing target is cloned: the clone and revision {old: null, new}', () => {
    expect(
      planLatest(base, repo({ target: 'missing', head: null, branch: null, remoteUrl: null, fastForward: null })),
    ).toEqual([
      { op: 'create', kind: 'clone', target: '/app/ecs', after: 'clone of /srv/src.git' },
      { op: 'update', kind: 'revision', target: 'revision', before: null, after: A },
    ]);
  });

  it('a new commit on the remote is a revision change (fast-forward)', () => {
    expect(planLatest(base, repo({ head: B }))).toEqual([
      { op: 'update', kind: 'revision', target: 'revision', before: B, after: A },
    ]);
  });

  it('a non-fast-forward needs force_reset, then it is a revision change and a forced update', () => {
    expect(() => planLatest(base, repo({ head: B, fastForward: false }))).toThrow(
      /not a fast-forward; set force_reset: True/,
    );
    expect(planLatest({ ...base, force_reset: true }, repo({ head: B, fastForward: false }))).toEqual([
      { op: 'update', kind: 'revision', target: 'revision', before: B, after: A },
      { op: 'update', kind: 'forced-update', target: 'forced update', before: undefined, after: 'hard reset' },
    ]);
  });

  it(
    'uncommitted changes block an update unless force_reset; up to date they are kept, or reset with ' + 'force_reset',
    () => {
      expect(() => planLatest(base, repo({ head: B, localChanges: ['Dockerfile'] }))).toThrow(
        /uncommitted changes \(Dockerfile\).*force_reset: True/,
      );
      expect(planLatest(base, repo({ localChanges: ['Dockerfile'] }))).toEqual([]);
      expect(planLatest({ ...base, force_reset: 'remote-changes' }, repo({ localChanges: ['Dockerfile'] }))).toEqual(
        [],
      );
      expect(planLatest({ ...base, force_reset: true }, repo({ localChanges: ['Dockerfile'] }))).toEqual([
        { op: 'update', kind: 'forced-update', target: 'forced update', before: ['Dockerfile'], after: 'hard reset' },
      ]);
      expect(
        planLatest({ ...base, force_reset: 'remote-changes' }, repo({ head: B, localChanges: ['Dockerfile'] })),
      ).toEqual([
        { op: 'update', kind: 'revision', target: 'revision', before: B, after: A },
        { op: 'update', kind: 'forced-update', target: 'forced update', before: ['Dockerfile'], after: 'hard reset' },
      ]);
    },
  );

  it('a target that is not a checkout needs force_clone', () => {
    expect(() => planLatest(base, repo({ target: 'other', head: null }))).toThrow(
      /not a checkout of \/srv\/src\.git; set force_clone: True/,
    );
    expect(planLatest({ ...base, force_clone: true }, repo({ target: 'other', head: null }))[0]).toEqual({
      op: 'update',
      kind: 'clone',
      target: '/app/ecs',
      after: 'clone of /srv/src.git',
    });
  });

  it('a changed remote URL, another branch, a tag (detached)', () => {
    expect(planLatest(base, repo({ remoteUrl: '/old/src.git' }))).toEqual([
      { op: 'update', kind: 'remote', target: 'remote origin', before: '/old/src.git', after: '/srv/src.git' },
    ]);
    const dev = { kind: 'branch' as const, commit: B, ref: 'refs/heads/dev', branch: 'dev' };
    expect(planLatest({ ...base, rev: 'dev' }, repo({ rev: dev, wanted: B }))).toEqual([
      { op: 'update', kind: 'revision', target: 'revision', before: A, after: B },
      { op: 'update', kind: 'branch', target: 'branch', before: 'main', after: 'dev' },
    ]);
    const tag = { kind: 'tag' as const, commit: T, ref: 'refs/tags/v1', branch: null };
    expect(planLatest({ ...base, rev: 'v1' }, repo({ rev: tag, wanted: T }))).toEqual([
      { op: 'update', kind: 'revision', target: 'revision', before: A, after: T },
      { op: 'update', kind: 'branch', target: 'branch', before: 'main', after: `detached at ${T.slice(0, 12)}` },
    ]);
    expect(planLatest({ ...base, rev: 'v1' }, repo({ rev: tag, wanted: T, head: T, branch: null }))).toEqual([]);
  });

  it('an unknown rev or an unreadable remote fails with the reason', () => {
    expect(() => planLatest({ ...base, rev: 'nope' }, repo({ rev: null }))).toThrow(
      /rev nope was not found in \/srv\/src\.git/,
    );
    expect(() =>
      planLatest(base, repo({ remoteError: "fatal: '/srv/src.git' does not appear to be a git repository" })),
    ).toThrow(/cannot read the remote/);
    const commit = { kind: 'commit' as const, commit: '1234abcd', ref: null, branch: null };
    expect(() => planLatest({ ...base, rev: '1234abcd' }, repo({ rev: commit, wanted: null }))).toThrow(
      /commit 1234abcd was not found/,
    );
  });

  it('knows which remotes are directories on the host', () => {
    expect(localRemotePath('/srv/src.git/')).toBe('/srv/src.git');
    expect(localRemotePath('file:///srv/src.git')).toBe('/srv/src.git');
    expect(localRemotePath('https://example.org/x.git')).toBeNull();
    expect(localRemotePath('git@example.org:x.git')).toBeNull();
  });

  it('schema: name and absolute target required; Salt argument names', () => {
    const fn = lookupFunction('git', 'latest')!;
    const ajv = new Ajv({ allErrors: true });
    expect(
      ajv.validate(fn.schema, {
        name: 'https://example.org/x.git',
        target: '/app/x',
        rev: 'main',
        force_reset: 'remote-changes',
        depth: 1,
        identity: ['/root/.ssh/id'],
        fetch_tags: false,
      }),
    ).toBe(true);
    expect(ajv.validate(fn.schema, { name: 'x', target: 'relative' })).toBe(false);
    expect(ajv.validate(fn.schema, { name: 'x' })).toBe(false);
    expect(ajv.validate(fn.schema, { name: 'x', target: '/a', force_reset: 'yes' })).toBe(false);
    expect(ajv.validate(fn.schema, { name: 'x', target: '/a', revision: 'main' })).toBe(false);
  });
  it(
    'no checkout and a remote that cannot be read: the clone is planned and says why it is unverified; with a ' +
      'checkout it fails',
    () => {
      const down = { remoteError: 'Could not resolve host: example.org', rev: null, wanted: null };
      expect(
        planLatest(
          base,
          repo({ ...down, target: 'missing', head: null, branch: null, remoteUrl: null, fastForward: null }),
        ),
      ).toEqual([
        {
          op: 'create',
          kind: 'clone',
          target: base.target,
          after: `clone of ${base.name} (the remote cannot be read now: Could not resolve host: example.org)`,
        },
      ]);
      expect(() => planLatest(base, repo(down))).toThrow(/cannot read the remote .*Could not resolve host/);
      const denied = {
        ...down,
        remoteError: 'Permission denied (publickey). | fatal: Could not read from remote repository.',
      };
      expect(() =>
        planLatest(
          base,
          repo({ ...denied, target: 'missing', head: null, branch: null, remoteUrl: null, fastForward: null }),
        ),
      ).toThrow(/cannot read the remote .*Permission denied/);
    },
  );
});

describe('git.config_unset as data', () => {
  it("anchors the key regex as Salt does and parses git's --null --get-regexp output", () => {
    expect(keyRegex('color\\..+')).toBe('^color\\..+$');
    expect(keyRegex('^push.default$')).toBe('^push.default$');
    expect(parseGetRegexp('color.ui\nauto\0color.diff\ntrue\0color.diff\nfalse\0core.bare\0')).toEqual([
      { key: 'color.ui', values: ['auto'] },
      { key: 'color.diff', values: ['true', 'false'] },
      { key: 'core.bare', values: [''] },
    ]);
  });

  it('plans one delete per key with its matching values; nothing set is no change', () => {
    const facts = [
      { key: 'color.ui', values: ['auto'] },
      { key: 'color.diff', values: ['true'] },
    ];
    expect(planUnset({ name: 'color\\..+', global: true }, facts)).toEqual([
      { op: 'delete', target: 'color.ui', kind: 'config', before: ['auto'] },
      { op: 'delete', target: 'color.diff', kind: 'config', before: ['true'] },
    ]);
    expect(planUnset({ name: 'push.default', global: true }, [])).toEqual([]);
  });

  it("a key with several matching values needs all: True (Salt's refusal), else the state fails", () => {
    const facts = [{ key: 'remote.o.fetch', values: ['a', 'b'] }];
    expect(() => planUnset({ name: 'remote.o.fetch', repo: '/r' }, facts)).toThrow(
      "several values are matched by the key expression (set 'all' to True to unset them all): remote.o.fetch (a, b)",
    );
    expect(() => planUnset({ name: 'remote.o.fetch', repo: '/r', value_regex: '.' }, facts)).toThrow(/by value_regex/);
    expect(planUnset({ name: 'remote.o.fetch', repo: '/r', all: true }, facts)).toHaveLength(1);
  });

  it('is registered; schema: repo or global, Salt-only arguments are inert', () => {
    expect(lookupFunction('git', 'config_unset')).toBe(configUnset);
    const v = new Ajv({ allErrors: true, strict: false }).compile(configUnset.schema);
    expect(v({ name: 'a.b', global: true, all: true, user: 'app' })).toBe(true);
    expect(v({ name: 'a.b', repo: '/r', value_regex: '^x' })).toBe(true);
    expect(v({ name: 'a.b' })).toBe(false);
    expect(v({ name: 'a.b', global: false })).toBe(false);
    expect(Object.keys(configUnset.inert!)).toEqual(['password', 'output_encoding']);
  });
});
