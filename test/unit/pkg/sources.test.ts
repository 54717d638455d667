// pkg.installed sources as data: the .deb file's version against the installed one.
import { describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { debsOf, planSources } from '../../../modules/pkg/sources.js';
import { decl, high } from '../compile/highdata-builder.js';

const st = (installed: string | null) => ({
  installed,
  status: installed ? 'installed' : 'unknown',
  held: false,
  candidate: null,
  versions: [],
});

describe('pkg.installed sources', () => {
  it("reads Salt's list of {package: path}; file:// is a path on the target", () => {
    expect(debsOf([{ a: '/srv/a.deb' }, { b: 'file:///srv/b.deb' }])).toEqual([
      { name: 'a', path: '/srv/a.deb' },
      { name: 'b', path: '/srv/b.deb' },
    ]);
    expect(
      compile(high([decl('install-debs', 'pkg.installed', { sources: [{ a: '/srv/a.deb' }] })])).chunks[0]!.args.name,
    ).toBe('install-debs');
    expect(() => compile(high([decl('x', 'pkg.installed', { sources: [{ a: 'http://example.org/a.deb' }] })]))).toThrow(
      /sources/,
    );
  });
  it("installs or upgrades to the file's version; nothing when it is installed; a wrong file fails", () => {
    const deb = (v: string | null, pkg = 'a') => ({
      name: 'a',
      path: '/srv/a.deb',
      package: v ? pkg : null,
      version: v,
    });
    expect(planSources({ listsPresent: true, pkgs: { a: st(null) }, debs: [deb('1.0')] })).toEqual([
      { op: 'create', kind: 'package', target: 'a', deb: '/srv/a.deb', after: '1.0' },
    ]);
    expect(planSources({ listsPresent: true, pkgs: { a: st('0.9') }, debs: [deb('1.0')] })).toEqual([
      { op: 'update', kind: 'package', target: 'a', deb: '/srv/a.deb', before: '0.9', after: '1.0' },
    ]);
    expect(planSources({ listsPresent: true, pkgs: { a: st('1.0') }, debs: [deb('1.0')] })).toEqual([]);
    expect(() => planSources({ listsPresent: true, pkgs: { a: st(null) }, debs: [deb(null)] })).toThrow(
      /not a readable .deb file/,
    );
    expect(() => planSources({ listsPresent: true, pkgs: { a: st(null) }, debs: [deb('1.0', 'b')] })).toThrow(
      /holds package 'b', not 'a'/,
    );
  });
});
