// file.line, file.blockreplace, file.keyvalue and file.directory clean as data: args + text/facts
// -> new text/changes (no host). Every edit is checked to be idempotent: editing the result again
// changes nothing.
import { describe, expect, it } from 'vitest';
import { blockEdit } from '../../../modules/file/blockreplace.js';
import { cleanTargets } from '../../../modules/file/directory.js';
import { fnmatch } from '../../../engine/fnmatch.js';
import { modules } from '../../../modules/file/index.js';
import { keyvalueEdit } from '../../../modules/file/keyvalue.js';
import { lineEdit, type LineArgs } from '../../../modules/file/line.js';
import type { PathFacts, TreeEntry } from '../../../modules/file/probe.js';
import type { TextFileFacts } from '../../../modules/file/text.js';
import { sha256 } from '../../../modules/file/content.js';
import { testCtx } from '../../support/checkapply.js';

const F = modules.file!;
const twice = <A>(edit: (a: A, t: string) => string, a: A, t: string): string => {
  const once = edit(a, t);
  expect(edit(a, once), 'a second edit changes nothing').toBe(once);
  return once;
};
const L = (a: Partial<LineArgs>, t: string) => twice(lineEdit, { name: '/f', mode: 'ensure', ...a } as LineArgs, t);

describe('file.line', () => {
  const conf = 'hosts:\n    files dns\nnetworks: files\n';
  it('ensure after/before inserts once, with the indentation of the neighbour line', () => {
    expect(L({ content: 'files mdns', after: '^hosts:' }, conf)).toBe(
      'hosts:\nfiles mdns\n    files dns\nnetworks: files\n',
    );
    expect(L({ content: 'passwd: files', before: 'networks' }, conf)).toBe(
      'hosts:\n    files dns\npasswd: files\nnetworks: files\n',
    );
    expect(L({ content: 'x', after: 'files dns' }, conf)).toBe('hosts:\n    files dns\n    x\nnetworks: files\n');
    expect(L({ content: 'x', after: 'files dns', indent: false }, conf)).toBe(
      'hosts:\n    files dns\nx\nnetworks: files\n',
    );
  });
  it('ensure leaves a line that is already there (anywhere, whitespace aside) alone', () => {
    expect(lineEdit({ name: '/f', mode: 'ensure', content: 'files dns', after: 'hosts' }, conf)).toBe(conf);
    expect(lineEdit({ name: '/f', mode: 'ensure', content: 'networks: files', location: 'end' }, conf)).toBe(conf);
  });
  it('ensure between before and after needs them adjacent; location start/end appends', () => {
    expect(L({ content: 'mid', after: '^a$', before: '^b$' }, 'a\nb\n')).toBe('a\nmid\nb\n');
    expect(() =>
      lineEdit({ name: '/f', mode: 'ensure', content: 'mid', after: '^a$', before: '^c$' }, 'a\nb\nc\n'),
    ).toThrow(/\/f: found more than one line between/);
    expect(L({ content: 'last', location: 'end' }, 'a')).toBe('a\nlast\n');
    expect(L({ content: 'first', location: 'start' }, 'a\n')).toBe('first\na\n');
    expect(() => lineEdit({ name: '/f', mode: 'ensure', content: 'x' }, 'a\n')).toThrow(
      /\/f: mode: ensure needs before, after or location/,
    );
  });
  it('before/after must match exactly one line (Salt: "found more/less than expected occurrences")', () => {
    expect(() => lineEdit({ name: '/f', mode: 'ensure', content: 'x', after: 'files' }, conf)).toThrow(
      /\/f: found more than one line matching "after: files" \(2\)/,
    );
    expect(() => lineEdit({ name: '/f', mode: 'insert', content: 'x', before: 'nope' }, conf)).toThrow(
      /found less than one line matching "before: nope" \(0\)/,
    );
  });
  it('replace swaps every matching line (indent kept), idempotent when content matches too', () => {
    const t = 'a\n  #PermitRootLogin yes\nPermitRootLogin yes\n';
    expect(L({ mode: 'replace', match: '^\\s*#?PermitRootLogin', content: 'PermitRootLogin no' }, t)).toBe(
      'a\n  PermitRootLogin no\nPermitRootLogin no\n',
    );
    expect(L({ mode: 'replace', match: 'nothing', content: 'x' }, t)).toBe(t);
    expect(L({ mode: 'replace', match: 'a', content: 'x' }, '')).toBe('');
  });
  it('delete removes every line the match (or content) finds; a literal fragment works when it is no regex', () => {
    expect(L({ mode: 'delete', match: '^#' }, '#a\nb\n#c\n')).toBe('b\n');
    expect(L({ mode: 'delete', content: 'opt(1' }, 'x\nopt(1) y\nz\n')).toBe('x\nz\n');
    expect(L({ mode: 'delete', match: '^b' }, 'b\n')).toBe('');
    expect(() => lineEdit({ name: '/f', mode: 'delete', match: 'opt(1' }, 'x\n')).toThrow(
      /\/f: match: invalid pattern/,
    );
  });
  it('insert at start/end/before/after does not insert again on the next run', () => {
    expect(L({ mode: 'insert', content: 'top', location: 'start' }, 'a\n')).toBe('top\na\n');
    expect(L({ mode: 'insert', content: 'end', location: 'end' }, '  a\n')).toBe('  a\n  end\n');
    expect(L({ mode: 'insert', content: 'new', before: '^b' }, 'a\nb\n')).toBe('a\nnew\nb\n');
    expect(L({ mode: 'insert', content: 'new', after: '^a' }, 'a\nb\n')).toBe('a\nnew\nb\n');
    expect(L({ mode: 'insert', content: 'new', after: '^a', before: '^c' }, 'a\nb\nc\n')).toBe('a\nb\nnew\nc\n');
    expect(L({ mode: 'insert', content: 'only', location: 'end' }, '')).toBe('only\n');
    expect(() => lineEdit({ name: '/f', mode: 'insert', content: 'x' }, 'a\n')).toThrow(
      /needs location, before or after/,
    );
  });
  it('content is required except for delete, and must be one line', () => {
    expect(() => lineEdit({ name: '/f', mode: 'ensure', location: 'end' }, '')).toThrow(
      /\/f: content is required with mode: ensure/,
    );
    expect(() => lineEdit({ name: '/f', mode: 'ensure', content: 'a\nb', location: 'end' }, '')).toThrow(/single line/);
  });
  it(
    'plan: a missing file is an error unless create (then created with file_mode/user/group) or quiet; attrs drift ' +
      'is planned',
    () => {
      const missing: TextFileFacts = {
        exists: false,
        text: '',
        real: '/d/f',
        path: { type: 'missing' },
        parent: { type: 'directory' },
      };
      const args = { name: '/d/f', mode: 'insert', location: 'end', content: 'x' };
      expect(() => F.line!.plan(args, missing, testCtx(args))).toThrow(
        /\/d\/f: file not found \(set create: True to create it\)/,
      );
      expect(F.line!.plan({ ...args, quiet: true }, missing, testCtx(args))).toEqual([]);
      const c = F.line!.plan({ ...args, create: true }, missing, testCtx(args));
      // the new text is the payload for apply; the output gets its hash and the diff
      expect(c).toEqual([
        {
          op: 'create',
          kind: 'file',
          target: '/d/f',
          after: sha256('x\n'),
          diff: expect.stringContaining('+x'),
          payload: 'x\n',
        },
      ]);
      expect(() =>
        F.line!.plan({ ...args, create: true }, { ...missing, parent: { type: 'missing' } }, testCtx(args)),
      ).toThrow(/parent directory \/d does not exist/);
      const have: PathFacts = { type: 'file', mode: 0o644, user: 'root', group: 'root', uid: 0, gid: 0 };
      const there = { ...missing, exists: true, text: 'x\n', path: have };
      expect(F.line!.plan({ ...args, file_mode: '0600', user: 'root' }, there, testCtx(args))).toEqual([
        { op: 'update', kind: 'mode', target: 'mode', before: '0644', after: '0600' },
      ]);
      expect(F.line!.plan({ ...args, show_changes: false, content: 'y' }, there, testCtx(args))[0]!.diff).toMatch(
        /^content not shown \(show_changes: False\); sha256 [0-9a-f]{64} -> [0-9a-f]{64} \(2 B -> 4 B\)$/,
      );
    },
  );
  it('schema: mode is required, unknown arguments are refused', () => {
    expect(F.line!.schema).toMatchObject({ required: ['name', 'mode'], additionalProperties: false });
  });
});

describe('file.blockreplace', () => {
  const B = (a: Record<string, unknown>, t: string) =>
    twice(blockEdit, { name: '/f', marker_start: '# BEGIN', marker_end: '# END', ...a }, t);
  it('replaces the text between the markers, keeping the marker lines as written', () => {
    const t = 'a\n## BEGIN managed ##\nold1\nold2\n## END managed ##\nz\n';
    expect(B({ content: 'new' }, t)).toBe('a\n## BEGIN managed ##\nnew\n## END managed ##\nz\n');
    expect(B({ content: 'n1\nn2\n' }, t)).toBe('a\n## BEGIN managed ##\nn1\nn2\n## END managed ##\nz\n');
    expect(B({ content: '' }, t)).toBe('a\n## BEGIN managed ##\n## END managed ##\nz\n');
    expect(B({ content: 'new' }, 'x\n# BEGIN\nnew\n# END')).toBe('x\n# BEGIN\nnew\n# END');
  });
  it('append_newline: True adds one always, False none (the block runs into the end marker)', () => {
    expect(B({ content: 'v\n', append_newline: true }, '# BEGIN\n# END\n')).toBe('# BEGIN\nv\n\n# END\n');
    expect(B({ content: 'v', append_newline: false }, '# BEGIN\nold\n# END\n')).toBe('# BEGIN\nv# END\n');
  });
  it('appends or prepends the whole block when the markers are missing, else fails naming the marker', () => {
    expect(B({ content: 'v', append_if_not_found: true }, 'a')).toBe('a\n# BEGIN\nv\n# END\n');
    expect(B({ content: 'v', append_if_not_found: true }, '')).toBe('# BEGIN\nv\n# END\n');
    expect(B({ content: 'v', prepend_if_not_found: true }, 'a\n')).toBe('# BEGIN\nv\n# END\na\n');
    expect(() => blockEdit({ name: '/f', content: 'v' }, 'a\n')).toThrow(
      /\/f: markers not found: no line contains marker_start '#-- start managed zone --'/,
    );
    expect(() => blockEdit({ name: '/f', marker_start: 'S', marker_end: 'E', content: 'v' }, 'S\nx\n')).toThrow(
      /unterminated block.*'E'.*line 1/,
    );
  });
  it('plan: a missing file is an error (Salt does not create it)', () => {
    const args = { name: '/f', content: 'x', append_if_not_found: true };
    const missing: TextFileFacts = {
      exists: false,
      text: '',
      real: '/f',
      path: { type: 'missing' },
      parent: { type: 'directory' },
    };
    expect(() => F.blockreplace!.plan(args, missing, testCtx(args))).toThrow(/\/f: file not found$/);
  });
});

describe('file.keyvalue', () => {
  const K = (a: Record<string, unknown>, t: string) => twice(keyvalueEdit, { name: '/f', ...a }, t);
  it('sets the value of the first matching key (spaces around the separator allowed)', () => {
    expect(K({ key: 'PermitRootLogin', value: 'no', separator: ' ' }, 'Port 22\nPermitRootLogin yes\n')).toBe(
      'Port 22\nPermitRootLogin no\n',
    );
    expect(K({ key: 'a', value: 1 }, 'a = 1\nb=2\n')).toBe('a = 1\nb=2\n');
    expect(K({ key: 'a', value: 2 }, 'a=1\na=1\n')).toBe('a=2\na=1\n');
    expect(K({ key: 'a', value: 2, count: -1 }, 'a=1\na=1\n')).toBe('a=2\na=2\n');
    expect(K({ key_values: { a: true, b: 'x' } }, 'a=0\nb=y\n')).toBe('a=True\nb=x\n');
  });
  it('uncomments with uncomment, ignores commented keys without it', () => {
    expect(K({ key: 'ListenAddress', value: '0.0.0.0', separator: ' ', uncomment: '#' }, '#ListenAddress ::\n')).toBe(
      'ListenAddress 0.0.0.0\n',
    );
    expect(K({ key: 'k', value: 'v', uncomment: '#' }, '## k=v\n')).toBe('k=v\n');
    expect(K({ key: 'k', value: 'v' }, '#k=v\n')).toBe('#k=v\n');
  });
  it('appends/prepends missing keys when asked; case-insensitive key and value', () => {
    expect(K({ key_values: { a: 1, b: 2 }, append_if_not_found: true }, 'a=1')).toBe('a=1\nb=2\n');
    expect(K({ key: 'z', value: 0, prepend_if_not_found: true }, 'a=1\n')).toBe('z=0\na=1\n');
    expect(K({ key: 'z', value: 0 }, 'a=1\n')).toBe('a=1\n');
    expect(K({ key: 'KEY', value: 'Yes', key_ignore_case: true, value_ignore_case: true }, 'key=yes\n')).toBe(
      'key=yes\n',
    );
    expect(K({ key: 'KEY', value: 'Yes', key_ignore_case: true }, 'key=yes\n')).toBe('KEY=Yes\n');
  });
  it('refuses ambiguous or missing arguments with the state name', () => {
    expect(() => keyvalueEdit({ name: '/f', key: 'a', value: 1, key_values: { b: 2 } }, '')).toThrow(
      /\/f: give either key\/value or key_values/,
    );
    expect(() => keyvalueEdit({ name: '/f', key: 'a' }, '')).toThrow(/\/f: key and value/);
  });
  it('plan: create_if_missing creates, ignore_if_missing skips, search_only never changes', () => {
    const missing: TextFileFacts = {
      exists: false,
      text: '',
      real: '/f',
      path: { type: 'missing' },
      parent: { type: 'directory' },
    };
    const a = { name: '/f', key: 'a', value: 1, append_if_not_found: true };
    expect(() => F.keyvalue!.plan(a, missing, testCtx(a))).toThrow(/\/f: file not found \(set create_if_missing: True/);
    expect(F.keyvalue!.plan({ ...a, ignore_if_missing: true }, missing, testCtx(a))).toEqual([]);
    expect(F.keyvalue!.plan({ ...a, create_if_missing: true }, missing, testCtx(a))).toMatchObject([
      { op: 'create', kind: 'file', target: '/f', after: sha256('a=1\n'), payload: 'a=1\n' },
    ]);
    expect(
      F.keyvalue!.plan({ ...a, search_only: true }, { ...missing, exists: true, text: 'a=2\n' }, testCtx(a)),
    ).toEqual([]);
  });
});

describe('file.directory clean', () => {
  const e = (rel: string, type: TreeEntry['type'] = 'file'): TreeEntry => ({
    rel,
    type,
    mode: 0o644,
    user: 'root',
    group: 'root',
  });
  const tree = [
    e('a.conf'),
    e('keep.local'),
    e('old', 'directory'),
    e('old/x'),
    e('sub', 'directory'),
    e('sub/managed'),
    e('sub/stale'),
  ];
  const dir: PathFacts = { type: 'directory', mode: 0o755, user: 'root', group: 'root', uid: 0, gid: 0 };
  it('fnmatch: * crosses slashes like Python fnmatch, [!x] negates', () => {
    expect(fnmatch('sub/x.local', '*.local')).toBe(true);
    expect(fnmatch('a.conf', '[!a]*')).toBe(false);
    expect(fnmatch('a.conf', 'a.c?nf')).toBe(true);
    expect(fnmatch('aXconf', 'a.conf')).toBe(false);
  });
  it(
    "removes everything but linked states' files (with their parents), exclude_pat matches and what is " + 'under them',
    () => {
      const rels = (a: Record<string, unknown>, keep: string[]) =>
        cleanTargets({ name: '/srv/d/', ...a }, tree, keep).map((x) => x.rel);
      expect(rels({}, ['/srv/d/sub/managed', '/elsewhere'])).toEqual([
        'a.conf',
        'keep.local',
        'old',
        'old/x',
        'sub/stale',
      ]);
      expect(rels({ exclude_pat: '*.local' }, ['/srv/d/sub'])).toEqual(['a.conf', 'old', 'old/x']);
      expect(rels({ exclude_pat: 'E@^(old|a\\.)' }, [])).toEqual(['keep.local', 'sub', 'sub/managed', 'sub/stale']);
      // a list excludes what any of its patterns matches (Salt's check_include_exclude); [] excludes nothing
      expect(rels({ exclude_pat: ['*.local', 'E@^old'] }, [])).toEqual(['a.conf', 'sub', 'sub/managed', 'sub/stale']);
      expect(rels({ exclude_pat: [] }, ['/srv/d/sub'])).toEqual(['a.conf', 'keep.local', 'old', 'old/x']);
    },
  );
  it('plans one delete per path (contents of removed directories listed), and nothing once clean', () => {
    const args = { name: '/srv/d', clean: true, exclude_pat: 'keep.*' };
    const c = F.directory!.plan(args, { path: dir, parent: dir, tree, keep: ['/srv/d/sub/managed'] }, testCtx(args));
    expect(c).toEqual(
      ['a.conf', 'old', 'old/x', 'sub/stale'].map((r, i) => ({
        op: 'delete',
        kind: 'clean',
        target: `/srv/d/${r}`,
        path: `/srv/d/${r}`,
        before: i === 1 ? 'directory' : 'file',
      })),
    );
    const left = tree.filter((x) => ['keep.local', 'sub', 'sub/managed'].includes(x.rel));
    expect(
      F.directory!.plan(args, { path: dir, parent: dir, tree: left, keep: ['/srv/d/sub/managed'] }, testCtx(args)),
    ).toEqual([]);
  });
});
