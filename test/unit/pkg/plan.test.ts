// pkg/pkgrepo plan as data (args + facts -> changes) and their argument schemas through the compiler.
import { describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import type { StateDecl } from '../../../engine/highdata.js';
import type { PkgFacts, PkgState } from '../../../modules/pkg/facts.js';
import { AFTER_UPDATE, aggKey, planInstall } from '../../../modules/pkg/installed.js';
import { planManaged, type RepoFacts, repoComment } from '../../../modules/pkg/pkgrepo.js';
import { planRemove } from '../../../modules/pkg/removed.js';
import { listPrefix, parseRepoLine, renderList, renderSources, repoSlug } from '../../../modules/pkg/repo-line.js';

const st = (o: Partial<PkgState>): PkgState => ({
  installed: null,
  status: 'unknown',
  held: false,
  candidate: null,
  versions: [],
  ...o,
});
const facts = (pkgs: Record<string, Partial<PkgState>>, listsPresent = true): PkgFacts => ({
  pkgs: Object.fromEntries(Object.entries(pkgs).map(([k, v]) => [k, st(v)])),
  listsPresent,
});

describe('pkg.installed / pkg.latest plan', () => {
  const f = facts({
    hello: { candidate: '2.10-3', versions: ['2.10-3', '2.10-2'] },
    bash: { installed: '5.2-1', status: 'installed', candidate: '5.2-2', versions: ['5.2-2', '5.2-1'] },
    held: { installed: '1.0', status: 'installed', held: true, candidate: '1.0', versions: ['1.0'] },
    ghost: {},
    virt: { versions: [] },
  });

  it('installs the candidate of a missing package, leaves an installed one alone', () => {
    expect(planInstall({ name: 'hello' }, f, false)).toEqual([
      { op: 'create', kind: 'package', target: 'hello', after: '2.10-3' },
    ]);
    expect(planInstall({ name: 'bash' }, f, false)).toEqual([]);
  });

  it(
    'a name that is no Debian package name is not found, even before an index refresh (apt must not read it as a ' +
      'pattern)',
    () => {
      const fresh = facts({}, false);
      expect(() => planInstall({ name: 'nginx-custom (can be a list)' }, fresh, false)).toThrow(
        /package 'nginx-custom \(can be a list\)' not found/,
      );
      expect(() => planInstall({ name: 'x', pkgs: ['ngin.*'] }, fresh, false)).toThrow(/package 'ngin.\*' not found/);
      expect(planInstall({ name: 'hello' }, fresh, false)).toEqual([
        { op: 'run', kind: 'refresh', target: 'apt-get update' },
        { op: 'create', kind: 'package', target: 'hello', after: AFTER_UPDATE },
      ]);
    },
  );

  it('latest upgrades to the candidate', () => {
    expect(planInstall({ name: 'bash' }, f, true)).toEqual([
      { op: 'update', kind: 'package', target: 'bash', before: '5.2-1', after: '5.2-2' },
    ]);
    expect(planInstall({ name: 'held' }, f, true)).toEqual([]);
  });

  it('pins versions exactly or by glob, downgrading when asked', () => {
    expect(planInstall({ name: 'hello', version: '2.10-2' }, f, false)).toEqual([
      { op: 'create', kind: 'package', target: 'hello', after: '2.10-2' },
    ]);
    expect(planInstall({ name: 'x', pkgs: [{ bash: '5.2-1' }, { hello: '2.10*' }] }, f, false)).toEqual([
      { op: 'create', kind: 'package', target: 'hello', after: '2.10-3' },
    ]);
    expect(planInstall({ name: 'bash', version: '5.2-2' }, f, false)).toEqual([
      { op: 'update', kind: 'package', target: 'bash', before: '5.2-1', after: '5.2-2' },
    ]);
    expect(() => planInstall({ name: 'hello', version: '9.9' }, f, false)).toThrow(
      /version '9.9' of package 'hello' is not available \(apt knows 2.10-3, 2.10-2\)/,
    );
  });

  it(
    "version: latest (Salt's spelling of pkg.latest in pkg.installed) upgrades to the candidate; empty pkgs: " +
      'nothing',
    () => {
      expect(planInstall({ name: 'bash', version: 'latest' }, f, false)).toEqual([
        { op: 'update', kind: 'package', target: 'bash', before: '5.2-1', after: '5.2-2' },
      ]);
      expect(planInstall({ name: 'x', pkgs: [{ hello: 'latest' }, 'bash'] }, f, false)).toEqual([
        { op: 'create', kind: 'package', target: 'hello', after: '2.10-3' },
      ]);
      expect(planInstall({ name: 'x', pkgs: [] }, f, false)).toEqual([]);
    },
  );

  it("update_holds and skip_verify become apt options and keep such states out of other states' apt call", () => {
    expect(aggKey({ name: 'a', update_holds: true })).not.toBe(aggKey({ name: 'b' }));
    expect(aggKey({ name: 'a', skip_verify: true })).not.toBe(aggKey({ name: 'b' }));
  });

  it('fails in the plan (the dry run too) for packages apt cannot install', () => {
    expect(() => planInstall({ name: 'ghost' }, f, false)).toThrow(/package 'ghost' not found/);
    expect(() => planInstall({ name: 'x', pkgs: ['hello', 'ghost'] }, f, false)).toThrow(/'ghost'/);
  });

  it('holds and releases', () => {
    expect(planInstall({ name: 'hello', hold: true }, f, false)).toEqual([
      { op: 'create', kind: 'package', target: 'hello', after: '2.10-3' },
      { op: 'update', kind: 'hold', target: 'hello (hold)', pkg: 'hello', before: false, after: true },
    ]);
    expect(planInstall({ name: 'held', hold: false }, f, false)).toEqual([
      { op: 'update', kind: 'hold', target: 'held (hold)', pkg: 'held', before: true, after: false },
    ]);
    expect(planInstall({ name: 'held', hold: true }, f, false)).toEqual([]);
  });

  it('refreshes the index first when asked or when there is none', () => {
    expect(planInstall({ name: 'hello', refresh: true }, f, false)).toEqual([
      { op: 'run', kind: 'refresh', target: 'apt-get update' },
      { op: 'create', kind: 'package', target: 'hello', after: '2.10-3' },
    ]);
    expect(planInstall({ name: 'bash', refresh: true }, f, false)).toEqual([]);
    expect(planInstall({ name: 'ghost' }, { ...f, listsPresent: false }, false)).toEqual([
      { op: 'run', kind: 'refresh', target: 'apt-get update' },
      { op: 'create', kind: 'package', target: 'ghost', after: AFTER_UPDATE },
    ]);
  });
});

describe('what apt does alongside (from its simulation)', () => {
  it('shows dependencies and packages removed with the named ones', () => {
    const f = facts({ nginx: { candidate: '1.22', versions: ['1.22'] } });
    f.alongside = [
      { op: 'create', target: 'nginx-common', after: '1.22' },
      { op: 'create', target: 'nginx', after: '1.22' },
      { op: 'delete', target: 'apache2', before: '2.4' },
    ];
    expect(planInstall({ name: 'nginx' }, f, false)).toEqual([
      { op: 'create', kind: 'package', target: 'nginx', after: '1.22' },
      { op: 'create', kind: 'dependency', target: 'nginx-common (dependency)', after: '1.22' },
      { op: 'delete', kind: 'also-removed', target: 'apache2 (also removed)', before: '2.4' },
    ]);
  });
  it('shows the upgrade of a named package that is already installed when apt upgrades it along', () => {
    // openssh-server pulls the matching openssh-client: the state names both, the client is installed
    const f = facts({
      'openssh-server': { candidate: '9.2-10', versions: ['9.2-10'] },
      'openssh-client': { installed: '9.2-6', status: 'installed', candidate: '9.2-10', versions: ['9.2-10'] },
    });
    f.alongside = [
      { op: 'update', target: 'openssh-client', before: '9.2-6', after: '9.2-10' },
      { op: 'create', target: 'openssh-server', after: '9.2-10' },
    ];
    expect(planInstall({ name: 'ssh', pkgs: ['openssh-client', 'openssh-server'] }, f, false)).toEqual([
      { op: 'create', kind: 'package', target: 'openssh-server', after: '9.2-10' },
      {
        op: 'update',
        kind: 'dependency',
        target: 'openssh-client (dependency)',
        before: '9.2-6',
        after: '9.2-10',
      },
    ]);
  });
});

describe('pkg.removed / pkg.purged plan', () => {
  const f = facts({
    a: { installed: '1', status: 'installed' },
    b: { status: 'config-files' },
    c: { status: 'not-installed' },
    d: {},
  });
  it('removes installed packages; purge also clears config-files', () => {
    expect(planRemove({ name: 'x', pkgs: ['a', 'b', 'c', 'd'] }, f, false)).toEqual([
      { op: 'delete', kind: 'package', target: 'a', before: '1' },
    ]);
    expect(planRemove({ name: 'x', pkgs: ['a', 'b', 'c', 'd'] }, f, true)).toEqual([
      { op: 'delete', kind: 'package', target: 'a', before: '1', after: 'purged' },
      { op: 'delete', kind: 'package', target: 'b', before: 'config-files', after: 'purged' },
    ]);
  });
  it('only removes a matching version when one is named', () => {
    expect(planRemove({ name: 'a', version: '2' }, f, false)).toEqual([]);
  });
});

describe('apt source lines', () => {
  it('parses, names and renders one-line and deb822 sources', () => {
    const r = parseRepoLine('deb [arch=amd64,arm64] https://download.docker.com/linux/debian bookworm stable');
    if (typeof r === 'string') throw new Error(r);
    expect(repoSlug(r)).toBe('download.docker.com_linux_debian_bookworm');
    expect(renderList(r, '/etc/apt/keyrings/docker.asc', 'Docker')).toBe(
      '# Docker\ndeb [arch=amd64,arm64 signed-by=/etc/apt/keyrings/docker.asc] ' +
        'https://download.docker.com/linux/debian bookworm stable\n',
    );
    expect(renderSources(r, '/etc/apt/keyrings/docker.asc')).toBe(
      'Types: deb\nURIs: https://download.docker.com/linux/debian\nSuites: bookworm\nComponents: ' +
        'stable\nArchitectures: amd64 arm64\nSigned-By: /etc/apt/keyrings/docker.asc\n',
    );
    expect(listPrefix('http://user:pw@deb.debian.org/debian/')).toBe('deb.debian.org_debian_');
    expect(listPrefix('file:/srv/my_repo')).toBe('_srv_my%5frepo_');
  });

  it("puts Salt's apt comments after the line (deb822: a line above the stanza)", () => {
    const r = parseRepoLine('deb http://x/ y z');
    if (typeof r === 'string') throw new Error(r);
    expect(repoComment(['made by salt', ' #twice ', 3])).toBe('#made by salt #twice #3');
    expect(repoComment('one')).toBe('#one');
    expect(repoComment([])).toBeUndefined();
    expect(renderList(r, undefined, 'X', { comment: '#c' })).toBe('# X\ndeb http://x/ y z #c\n');
    expect(renderSources(r, undefined, undefined, { comment: '#c' })).toBe(
      '#c\nTypes: deb\nURIs: http://x/\nSuites: y\nComponents: z\n',
    );
  });

  it('writes a disabled source commented out (deb822: Enabled: no) and plans no index refresh for it', () => {
    const r = parseRepoLine('deb http://x/ y z');
    if (typeof r === 'string') throw new Error(r);
    expect(renderList(r, undefined, undefined, { disabled: true })).toBe('# deb http://x/ y z\n');
    expect(renderSources(r, undefined, undefined, { disabled: true })).toMatch(/\nEnabled: no\n$/);
    const name = 'deb http://x/ y z';
    const f: RepoFacts = {
      file: '/etc/apt/sources.list.d/x.list',
      content: null,
      want: `# ${name}\n`,
      listsPresent: false,
    };
    expect(planManaged({ name, enabled: false }, f).map((c) => c.op)).toEqual(['create']);
    expect(planManaged({ name, disabled: false }, f).map((c) => c.op)).toEqual(['create', 'run']);
    expect(planManaged({ name, enabled: 1 }, f).map((c) => c.op)).toEqual(['create', 'run']);
    expect(planManaged({ name, disabled: 1 }, f).map((c) => c.op)).toEqual(['create']);
    expect(() => planManaged({ name, enabled: true, disabled: true }, f)).toThrow(/enabled or disabled, not both/);
  });

  it('rejects what is not a source line', () => {
    expect(parseRepoLine('deb bookworm main')).toMatch(/URI|expected/);
    expect(parseRepoLine('deb [arch] http://x/ y z')).toMatch(/not key=value/);
    expect(parseRepoLine('deb http://x/ bookworm')).toMatch(/component/);
  });

  it('plans key, file and an index refresh only when something changed or the lists are missing', () => {
    const base: RepoFacts = {
      file: '/etc/apt/sources.list.d/x.list',
      content: 'deb http://x/ y z\n',
      want: 'deb http://x/ y z\n',
      listsPresent: true,
    };
    expect(planManaged({ name: 'deb http://x/ y z' }, base)).toEqual([]);
    expect(planManaged({ name: 'deb http://x/ y z' }, { ...base, listsPresent: false })).toEqual([
      { op: 'run', kind: 'refresh', target: 'apt-get update', after: 'refresh the index of x.list' },
    ]);
    const changed = planManaged(
      { name: 'deb http://x/ y z' },
      { ...base, content: null, key: { path: '/etc/apt/keyrings/x.asc', have: null, want: 'ab', data: '' } },
    );
    expect(changed.map((c) => [c.op, c.kind, c.target])).toEqual([
      ['create', 'key', '/etc/apt/keyrings/x.asc'],
      ['create', 'source-file', '/etc/apt/sources.list.d/x.list'],
      ['run', 'refresh', 'apt-get update'],
    ]);
    expect(changed[1]!.diff).toContain('+deb http://x/ y z');
    expect(
      planManaged({ name: 'deb http://x/ y z', refresh: false }, { ...base, content: '' }).map((c) => c.op),
    ).toEqual(['update']);
    // Salt's older name refresh_db says the same; refresh wins when both are given
    expect(
      planManaged({ name: 'deb http://x/ y z', refresh_db: false }, { ...base, content: '' }).map((c) => c.op),
    ).toEqual(['update']);
    expect(
      planManaged({ name: 'deb http://x/ y z', refresh: true, refresh_db: false }, { ...base, content: '' }).map(
        (c) => c.op,
      ),
    ).toEqual(['update', 'run']);
  });
});

describe('pkg schemas reject wrong arguments at compile time with file:line', () => {
  const decl = (module: string, fun: string, args: Record<string, unknown>): StateDecl => ({
    id: 'thing',
    sls: 'top',
    module,
    fun,
    loc: { file: 'top.sls', line: 3 },
    args: Object.entries(args).map(([key, value], i) => ({ key, value, loc: { file: 'top.sls', line: 4 + i } })),
  });
  const compileOne = (d: StateDecl) => compile({ states: [d], sls: ['top'], extend: [], exclude: [] });

  it.each([
    ['pkg', 'installed', { name: '-o Dpkg::x' }, /top.sls:4: .*argument 'name'/],
    ['pkg', 'installed', { name: 'x', pkgs: 'hello' }, /top.sls:5: .*argument 'pkgs'/],
    ['pkg', 'installed', { name: 'hello', hold: 'yes' }, /top.sls:5: .*argument 'hold'/],
    ['pkg', 'installed', { name: 'hello', frobnicate: 1 }, /top.sls:5: .*unknown argument 'frobnicate'/],
    ['pkg', 'removed', { name: 'x', pkgs: [{ a: '1', b: '2' }] }, /top.sls:5: .*argument 'pkgs'/],
    ['pkgrepo', 'managed', { name: 'http://x bookworm main' }, /top.sls:4: .*argument 'name'/],
    ['pkgrepo', 'managed', { name: 'deb http://x/ y z', file: 'relative.list' }, /top.sls:5: .*argument 'file'/],
    ['pkgrepo', 'managed', { name: 'deb http://x/ y z', key_url: 'ftp://k' }, /top.sls:5: .*argument 'key_url'/],
  ])('%s.%s %j', (module, fun, args, msg) => {
    expect(() => compileOne(decl(module, fun, args))).toThrow(msg);
  });

  it('accepts the Salt forms', () => {
    expect(() =>
      compileOne(
        decl('pkg', 'installed', {
          name: 'x',
          pkgs: ['hello', { sl: '5.02-1+b1' }, { libc6: null }],
          hold: true,
          refresh: true,
        }),
      ),
    ).not.toThrow();
    expect(() =>
      compileOne(decl('pkg', 'installed', { name: 'hello', version: '2.10-3', install_recommends: false })),
    ).not.toThrow();
    expect(() =>
      compileOne(
        decl('pkgrepo', 'managed', {
          name: 'deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable',
          key_file: 'salt://docker/key.asc',
          file: '/etc/apt/sources.list.d/docker.sources',
        }),
      ),
    ).not.toThrow();
    expect(() =>
      compileOne(
        decl('pkgrepo', 'managed', {
          name: 'deb https://apt.example.org stable main',
          key_url: 'https://apt.example.org/gpg.key',
          comments: ['from the vendor'],
        }),
      ),
    ).not.toThrow();
  });
});
