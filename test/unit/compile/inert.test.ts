// Arguments Salt accepts that brine does not act on (StateFunction.inert): accepted with a warning
// in the state's result; a likely typo stays an error. file.managed's unknown arguments are
// template variables, as Salt's **kwargs are.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../engine/compile/index.js';
import { registry } from '../../../modules/index.js';
import { decl, high } from './highdata-builder.js';

const one = (id: string, fun: string, args: Record<string, unknown>) =>
  compile(high([decl(id, fun, args)]), registry).chunks[0]!;

describe('inert arguments', () => {
  it('are taken out of the args with a warning that says why they have no effect', () => {
    const c = one('u', 'user.present', { expire: 20000, shell: '/bin/sh' });
    expect(c.args).toEqual({ name: 'u', shell: '/bin/sh' });
    expect(c.meta.inert).toEqual([
      'expire has no effect: brine does not manage account expiry (set it with chage in a cmd.run if needed)',
    ]);
    const r = one('deb http://example.org/debian bookworm main', 'pkgrepo.managed', { clean_file: true });
    expect(r.meta.inert).toEqual([
      'clean_file has no effect: brine writes the source file whole anyway (what clean_file: True asks)',
    ]);
    const key = one('deb http://example.org/debian bookworm main', 'pkgrepo.managed', { aptkey: true });
    expect(key.meta.inert?.[0]).toMatch(/^aptkey has no effect: brine never uses apt-key/);
    expect(one('deb http://example.org/d x main', 'pkgrepo.managed', { aptkey: false }).meta.inert).toBeUndefined();
    expect(one('/x', 'file.absent', { template: 'jinja' }).meta.inert).toEqual([
      'template has no effect: file.absent renders nothing (Salt ignores it too)',
    ]);
    expect(one('/b', 'file.copy', { source: '/a', replace: false }).meta.inert).toBeUndefined();
    expect(one('/b', 'file.copy', { source: '/a', replace: true }).meta.inert).toEqual([
      "replace has no effect: Salt's file.copy has no such argument and ignores it (force replaces an existing file)",
    ]);
    expect(one('memcached', 'pkg.installed', { runas: 'root' }).meta.inert?.[0]).toMatch(
      /^runas has no effect: apt runs as root/,
    );
  });

  it("Salt's ignored **kwargs (archive.extracted) are accepted with a warning; a typo stays an error", () => {
    const c = one('/opt/x', 'archive.extracted', { source: 'salt://x.tgz', official: 'yes', flavour: false });
    expect(c.args).toEqual({ name: '/opt/x', source: 'salt://x.tgz' });
    expect(c.meta.inert).toEqual([
      "official has no effect: Salt's archive.extracted takes **kwargs and ignores the ones it does not know",
    ]);
    expect(() => one('/opt/x', 'archive.extracted', { source: 'salt://x.tgz', source_hsh: 'x' })).toThrow(
      /did you mean 'source_hash'/,
    );
    expect(() => one('/x', 'file.absent', { official: true })).toThrow(/unknown argument 'official'/);
    const repo = one('deb http://example.org/debian bookworm main', 'pkgrepo.managed', { gpgcheck: 1 });
    expect(repo.meta.inert?.[0]).toMatch(/^gpgcheck has no effect: Salt's pkgrepo.managed hands \*\*kwargs to apt/);
  });

  it('null, False and an empty list ask for nothing: no warning', () => {
    expect(one('u', 'user.present', { expire: null }).meta.inert).toBeUndefined();
    expect(one('/opt/t', 'file.recurse', { source: 'salt://t', keep_symlinks: false }).meta.inert).toBeUndefined();
    expect(one('/x.json', 'file.serialize', { dataset: {}, serializer_opts: [] }).meta.inert).toBeUndefined();
  });

  it('a likely typo of one is still an error with did-you-mean', () => {
    expect(() => one('u', 'user.present', { expier: 1 })).toThrow(
      /unknown argument 'expier' \(did you mean 'expire'\?\)/,
    );
    expect(() => one('r', 'pkgrepo.managed', { name: 'deb http://example.org/d x main', clean_fil: true })).toThrow(
      /did you mean 'clean_file'/,
    );
  });

  it('every reason is a sentence and no inert argument is also in the schema', () => {
    for (const [m, fs] of Object.entries(registry)) {
      for (const [f, fn] of Object.entries(fs)) {
        const props = Object.keys((fn.schema.properties ?? {}) as object);
        for (const [k, why] of Object.entries(fn.inert ?? {})) {
          expect(props, `${m}.${f}: ${k}`).not.toContain(k);
          expect(why.length, `${m}.${f}: ${k}`).toBeGreaterThan(10);
        }
      }
    }
  });
});

describe("file.managed's unknown arguments (Salt's **kwargs)", () => {
  it('become template variables; a likely typo stays an error', () => {
    const c = one('/etc/a', 'file.managed', { source: 'salt://a', template: 'jinja', apache: { port: 80 } });
    expect(c.args.template_kwargs).toEqual({ apache: { port: 80 } });
    expect(c.args.apache).toBeUndefined();
    expect(() => one('/etc/a', 'file.managed', { source: 'salt://a', tempalte: 'jinja' })).toThrow(
      /unknown argument 'tempalte' \(did you mean 'template'\?\)/,
    );
  });
  it('other functions keep refusing unknown arguments', () => {
    expect(() => one('/d', 'file.directory', { apache: 1 })).toThrow(/unknown argument 'apache'/);
  });
});

describe('Salt-accepted arguments brine implements', () => {
  it('file.directory force, file.managed show_diff', () => {
    expect(one('/d', 'file.directory', { force: true }).args).toEqual({ name: '/d', force: true });
    expect(one('/f', 'file.managed', { contents: 'x', show_diff: false }).args).toEqual({
      name: '/f',
      contents: 'x',
      show_diff: false,
    });
  });
  it('a pkg name is any string that is not an option, as Salt takes it (pkgs too)', () => {
    expect(one('nginx_install', 'pkg.installed', { pkgs: ['nginx'] }).args.name).toBe('nginx_install');
    expect(one('x', 'pkg.installed', { name: 'nginx-custom (can be a list)' }).args.name).toBe(
      'nginx-custom (can be a list)',
    );
    expect(() => one('x', 'pkg.installed', { name: '--force-yes' })).toThrow(/argument 'name' must match/);
    expect(() => one('x', 'pkg.installed', { pkgs: ['-o'] })).toThrow(/argument 'pkgs'/);
  });
});

describe('a boolean onlyif/unless (Salt: "bad type passed", the state runs)', () => {
  const meta = (args: Record<string, unknown>) => one('c', 'cmd.run', { name: 'true', ...args }).meta;
  it('onlyif stops checking at the boolean; a warning says it has no effect', () => {
    expect(meta({ onlyif: true })).toMatchObject({
      onlyif: [],
      inert: ['onlyif: True has no effect: it is not a command (Salt says "bad type passed" and runs the state)'],
    });
    expect(meta({ onlyif: ['test -e /a', false, 'test -e /b'] }).onlyif).toEqual(['test -e /a']);
  });
  it('unless ignores it, but one in last place makes the state run', () => {
    expect(meta({ unless: [false, 'test -e /a'] }).unless).toEqual(['test -e /a']);
    expect(meta({ unless: ['test -e /a', true] }).unless).toEqual([]);
  });
});

describe('~ in a file name is the root minion home (os.path.expanduser)', () => {
  it('expands ~ and ~/x for file states, leaves other modules alone', () => {
    expect(one('~/.my.cnf', 'file.managed', { contents: 'x' }).name).toBe('/root/.my.cnf');
    expect(one('c', 'file.directory', { name: '~' }).name).toBe('/root');
    expect(() => one('~alice/x', 'file.managed', { contents: 'x' })).toThrow(/argument 'name'/);
    expect(one('~/x', 'cmd.run', {}).name).toBe('~/x');
  });
});
