// file.* plans as data: args + facts -> changes (no host).
import { describe, expect, it } from 'vitest';
import { testCtx } from '../../support/checkapply.js';
import { modules } from '../../../modules/file/index.js';
import type { PathFacts } from '../../../modules/file/probe.js';
import { sha256 } from '../../../modules/file/content.js';

const F = modules.file!;
const dir: PathFacts = { type: 'directory', mode: 0o755, user: 'root', group: 'root', uid: 0, gid: 0 };
const missing: PathFacts = { type: 'missing' };
const file = (data: string, extra: Partial<PathFacts> = {}): PathFacts => ({
  type: 'file',
  mode: 0o644,
  user: 'root',
  group: 'root',
  uid: 0,
  gid: 0,
  hash: sha256(data),
  ...extra,
});
const plan = (fn: keyof typeof F, args: Record<string, unknown>, facts: unknown) =>
  F[fn]!.plan(args, facts, testCtx(args));

describe('file.managed plan', () => {
  const want = (s: string) => ({ want: Buffer.from(s), wantHash: sha256(s) });
  it('creates a missing file with a diff', () => {
    const c = plan('managed', { name: '/etc/x' }, { path: missing, parent: dir, ...want('a\n') });
    expect(c).toEqual([
      { op: 'create', kind: 'file', target: '/etc/x', after: sha256('a\n'), diff: expect.stringContaining('+a') },
    ]);
  });
  it('is empty when contents, mode and owner match (mode given as 644, "0644", "0o644")', () => {
    for (const mode of [644, '0644', '0o644', '644']) {
      expect(
        plan(
          'managed',
          { name: '/etc/x', mode, user: 'root', group: '0' },
          { path: file('a\n'), parent: dir, ...want('a\n') },
        ),
      ).toEqual([]);
    }
  });
  it('updates contents and attributes separately', () => {
    const c = plan(
      'managed',
      { name: '/etc/x', mode: '0600', user: 'www-data' },
      { path: file('old\n'), parent: dir, ...want('new\n'), current: Buffer.from('old\n') },
    );
    expect(c.map((x) => [x.kind, x.target])).toEqual([
      ['file', '/etc/x'],
      ['user', 'user'],
      ['mode', 'mode'],
    ]);
    expect(c[0]!.diff).toMatch(/-old\n\+new/);
    expect(c[2]).toEqual({ op: 'update', kind: 'mode', target: 'mode', before: '0644', after: '0600' });
  });
  it('hides the diff with show_changes: False and keeps contents with replace: False', () => {
    expect(
      plan('managed', { name: '/x', show_changes: false }, { path: file('o'), parent: dir, ...want('n') })[0]!.diff,
    ).toBe(`content not shown (show_changes: False); sha256 ${sha256('o')} -> ${sha256('n')} (unread -> 1 B)`);
    expect(plan('managed', { name: '/x', replace: false }, { path: file('o'), parent: dir, ...want('n') })).toEqual([]);
  });
  it('create: False leaves a missing file missing; a missing parent needs makedirs', () => {
    expect(plan('managed', { name: '/a/b', create: false }, { path: missing, parent: missing, ...want('x') })).toEqual(
      [],
    );
    expect(() => plan('managed', { name: '/a/b' }, { path: missing, parent: missing, ...want('x') })).toThrow(
      /parent directory \/a does not exist/,
    );
    expect(
      plan('managed', { name: '/a/b', makedirs: true }, { path: missing, parent: missing, ...want('x') }),
    ).toHaveLength(1);
  });
  it('reports binary contents by hash', () => {
    const bin = Buffer.from([0, 1, 2]);
    const c = plan('managed', { name: '/b' }, { path: missing, parent: dir, want: bin, wantHash: sha256(bin) });
    expect(c[0]!.diff).toBe(`binary file; sha256 (none) -> ${sha256(bin)} (no file -> 3 B)`);
  });
  it('refuses a directory in the way and a bad mode', () => {
    expect(() => plan('managed', { name: '/d' }, { path: dir, parent: dir, want: null })).toThrow(/is a directory/);
    expect(() => plan('managed', { name: '/x', mode: '0999' }, { path: file('a'), parent: dir, want: null })).toThrow(
      /invalid mode/,
    );
  });
});

describe('file.directory / symlink / absent / touch plans', () => {
  it('directory: create, attribute drift, recurse drift', () => {
    expect(plan('directory', { name: '/d', mode: 750 }, { path: missing, parent: dir })[0]).toMatchObject({
      op: 'create',
      kind: 'directory',
      after: { mode: '0750' },
    });
    expect(
      plan('directory', { name: '/d', force: true }, { path: file('x'), parent: dir }).map((c) => [c.op, c.kind]),
    ).toEqual([
      ['delete', 'in-the-way'],
      ['create', 'directory'],
    ]);
    expect(
      plan('directory', { name: '/d', mode: 700, user: 'www-data' }, { path: dir, parent: dir }).map((c) => c.kind),
    ).toEqual(['user', 'mode']);
    expect(plan('directory', { name: '/d', mode: 755, user: 'root' }, { path: dir, parent: dir })).toEqual([]);
    const tree = [
      { rel: 'a', type: 'file', mode: 0o600, user: 'root', group: 'root' },
      { rel: 'b', type: 'directory', mode: 0o755, user: 'root', group: 'root' },
    ];
    const c = plan('directory', { name: '/d', file_mode: '0644', recurse: ['mode'] }, { path: dir, parent: dir, tree });
    expect(c).toEqual([
      {
        op: 'update',
        kind: 'recurse',
        target: '/d/**',
        before: '1 entries differ',
        after: { recurse: ['mode'], entries: ['a'] },
      },
    ]);
    expect(
      plan('directory', { name: '/d', file_mode: '0600', recurse: ['mode'] }, { path: dir, parent: dir, tree }),
    ).toEqual([]);
  });
  it('symlink: create, retarget, force', () => {
    expect(plan('symlink', { name: '/l', target: '/t' }, { path: missing, parent: dir })).toEqual([
      { op: 'create', kind: 'file', target: '/l', after: '/t' },
    ]);
    expect(
      plan(
        'symlink',
        { name: '/l', target: '/t' },
        { path: { type: 'symlink', target: '/t', user: 'root' }, parent: dir },
      ),
    ).toEqual([]);
    expect(
      plan('symlink', { name: '/l', target: '/t' }, { path: { type: 'symlink', target: '/u' }, parent: dir })[0],
    ).toMatchObject({ op: 'update', kind: 'file', before: '/u' });
    expect(() => plan('symlink', { name: '/l', target: '/t' }, { path: file('x'), parent: dir })).toThrow(/force/);
    expect(plan('symlink', { name: '/l', target: '/t', force: true }, { path: file('x'), parent: dir })).toHaveLength(
      1,
    );
  });
  it('absent and touch', () => {
    expect(plan('absent', { name: '/x' }, missing)).toEqual([]);
    expect(plan('absent', { name: '/x' }, file('a'))).toEqual([
      { op: 'delete', kind: 'file', target: '/x', before: 'file' },
    ]);
    expect(plan('touch', { name: '/x' }, { path: missing, parent: dir })).toEqual([
      { op: 'create', kind: 'file', target: '/x' },
    ]);
    expect(plan('touch', { name: '/x' }, { path: file(''), parent: dir })).toEqual([]);
  });
});

describe('file.copy / rename / recurse plans', () => {
  it('copy: missing source fails; force compares hashes', () => {
    expect(() => plan('copy', { name: '/d', source: '/s' }, { path: missing, parent: dir, source: missing })).toThrow(
      /does not exist/,
    );
    expect(plan('copy', { name: '/d', source: '/s' }, { path: file('a'), parent: dir, source: file('b') })).toEqual([]);
    expect(
      plan('copy', { name: '/d', source: '/s', force: true }, { path: file('a'), parent: dir, source: file('b') }),
    ).toEqual([{ op: 'update', kind: 'file', target: '/d', before: sha256('a'), after: sha256('b') }]);
    expect(
      plan('copy', { name: '/d', source: '/s', force: true }, { path: file('a'), parent: dir, source: file('a') }),
    ).toEqual([]);
  });
  it('rename: done when the source is gone', () => {
    expect(plan('rename', { name: '/d', source: '/s' }, { path: file('a'), parent: dir, source: missing })).toEqual([]);
    expect(plan('rename', { name: '/d', source: '/s' }, { path: missing, parent: dir, source: file('a') })).toEqual([
      { op: 'update', kind: 'file', target: '/d', before: '/s', after: '/d' },
    ]);
    expect(() => plan('rename', { name: '/d', source: '/s' }, { path: missing, parent: dir, source: missing })).toThrow(
      /does not exist/,
    );
    expect(() =>
      plan('rename', { name: '/d', source: '/s' }, { path: file('b'), parent: dir, source: file('a') }),
    ).toThrow(/force/);
  });
  it('recurse: creates, updates and cleans', () => {
    const files = new Map([
      ['a', { data: Buffer.from('A'), hash: sha256('A') }],
      ['s/b', { data: Buffer.from('B'), hash: sha256('B') }],
    ]);
    const tree = [
      { rel: 'a', type: 'file', mode: 0o644, user: 'root', group: 'root', hash: sha256('old') },
      { rel: 'junk', type: 'directory', mode: 0o755, user: 'root', group: 'root' },
      { rel: 'junk/x', type: 'file', mode: 0o644, user: 'root', group: 'root', hash: 'h' },
    ];
    const c = plan(
      'recurse',
      { name: '/t', source: 'salt://x', clean: true },
      { root: dir, tree, want: { dirs: ['s'], files } },
    );
    expect(c.map((x) => `${x.op} ${x.kind} ${x.target}`)).toEqual([
      'create tree-dir /t/s',
      'update tree-file /t/a',
      'create tree-file /t/s/b',
      'delete clean /t/junk',
    ]);
    const entries = c as unknown as Array<{ path: string; rel?: string }>;
    expect(entries.map((x) => [x.path, x.rel ?? null])).toEqual([
      ['/t/s', 's'],
      ['/t/a', 'a'],
      ['/t/s/b', 's/b'],
      ['/t/junk', null],
    ]);
  });
});
