import { describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { CompileError, RequisiteCycleError } from '../../../engine/errors.js';
import { linkedStates } from '../../../engine/run/ctx.js';
import { decl, high } from './highdata-builder.js';

const keysOf = (run: ReturnType<typeof compile>, id: string) => run.chunks.filter((c) => c.id === id);
const reqs = (run: ReturnType<typeof compile>, id: string) =>
  keysOf(run, id).flatMap((c) =>
    c.requisites.map((r) => ({ kind: r.kind, any: r.any, targets: r.targets.map((k) => run.byKey.get(k)!.id) })),
  );

describe('compile: chunks', () => {
  it("builds Salt's chunk key and fills name from the ID", () => {
    const run = compile(high([decl('a', 'test.nop')]));
    expect(run.chunks[0]!.key).toBe('test_|-a_|-a_|-nop');
    expect(run.chunks[0]!.args).toEqual({ name: 'a' });
  });

  it('expands names, with per-name args', () => {
    const run = compile(
      high([
        decl('many', 'test.configurable_test_state', { names: ['x', { y: [{ comment: 'why' }] }], comment: 'base' }),
      ]),
    );
    expect(run.chunks.map((c) => [c.name, c.args.comment])).toEqual([
      ['x', 'base'],
      ['y', 'why'],
    ]);
  });

  it('separates meta args from module args', () => {
    const run = compile(
      high([
        decl('a', 'test.configurable_test_state', {
          onlyif: 'true',
          unless: ['false'],
          creates: '/x',
          order: 5,
          failhard: true,
          require: [],
        }),
      ]),
    );
    const c = run.chunks[0]!;
    expect(c.args).toEqual({ name: 'a', changes: true, result: true, comment: '' });
    expect(c.meta).toMatchObject({ onlyif: ['true'], unless: ['false'], creates: ['/x'], order: 5, failhard: true });
  });

  it('rejects an unknown argument with file:line, state ID and argument', () => {
    const d = decl('a', 'test.configurable_test_state', { bogus: 1 });
    expect(() => compile(high([d]))).toThrow(CompileError);
    expect(() => compile(high([d]))).toThrow(
      `main.sls:${d.args[0]!.loc.line}: state 'a' (test.configurable_test_state): unknown argument 'bogus'`,
    );
  });

  it('names a misspelt argument before what it leaves invalid, with the likely one (file and cmd too)', () => {
    const nme = decl('x', 'file.managed', { nme: '/tmp/x' });
    expect(() => compile(high([nme]))).toThrow(
      `main.sls:${nme.args[0]!.loc.line}: state 'x' (file.managed): unknown argument 'nme' (did you mean 'name'?)`,
    );
    const mdoe = decl('/tmp/x', 'file.managed', { mdoe: '0644' });
    expect(() => compile(high([mdoe]))).toThrow("unknown argument 'mdoe' (did you mean 'mode'?)");
    const cwd = decl('true', 'cmd.run', { cdw: '/tmp' });
    expect(() => compile(high([cwd]))).toThrow("unknown argument 'cdw' (did you mean 'cwd'?)");
    const far = decl('true', 'cmd.run', { frobnicate: 1 });
    expect(() => compile(high([far]))).toThrow(/unknown argument 'frobnicate'$/);
  });

  it('rejects a wrongly typed argument at its line', () => {
    const d = decl('a', 'test.configurable_test_state', { changes: 'yes' });
    expect(() => compile(high([d]))).toThrow(
      `main.sls:${d.args[0]!.loc.line}: state 'a' (test.configurable_test_state): argument 'changes' must be boolean`,
    );
  });

  it('rejects an unknown module or function with file:line', () => {
    const d = decl('a', 'nosuch.thing');
    expect(() => compile(high([d]))).toThrow(
      `main.sls:${d.loc.line}: state 'a' (nosuch.thing): unknown state function 'nosuch.thing'`,
    );
    expect(() => compile(high([decl('b', 'test.nosuch')]))).toThrow(/unknown state function 'test.nosuch'/);
  });

  it('rejects conflicting IDs', () => {
    expect(() => compile(high([decl('a', 'test.nop'), decl('a', 'test.nop', {}, { sls: 'other' })]))).toThrow(
      /conflicting ID/,
    );
  });

  it('applies extend (requisites appended, args overridden) and exclude', () => {
    const h = high(
      [
        decl('a', 'test.configurable_test_state', { comment: 'old', require: [{ test: 'b' }] }),
        decl('b', 'test.nop'),
        decl('c', 'test.nop'),
        decl('gone', 'test.nop', {}, { sls: 'x' }),
      ],
      {
        extend: [decl('a', 'test.configurable_test_state', { comment: 'new', require: [{ test: 'c' }] })],
        exclude: [{ sls: 'x', loc: { file: 'top', line: 1 } }],
      },
    );
    const run = compile(h);
    expect(run.chunks.map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(run.chunks[0]!.args.comment).toBe('new');
    expect(reqs(run, 'a')).toEqual([
      { kind: 'require', any: false, targets: ['b'] },
      { kind: 'require', any: false, targets: ['c'] },
    ]);
    expect(() => compile(high([], { extend: [decl('zz', 'test.nop', { comment: 'x' })] }))).toThrow(
      /extend: no state 'zz'/,
    );
  });

  it("use / use_in: a state takes the other's args it does not set, never its name or requisites", () => {
    const run = compile(
      high([
        decl('/etc/foo.conf', 'file.managed', {
          user: 'root',
          group: 'adm',
          mode: '0640',
          contents: 'foo',
          onlyif: 'true',
          require: [{ file: '/etc' }],
        }),
        decl('/etc', 'file.directory'),
        decl('/etc/bar.conf', 'file.managed', { contents: 'bar', use: [{ file: '/etc/foo.conf' }] }),
        decl('/etc/baz.conf', 'file.managed', { mode: '0600' }),
        decl('/etc/qux.conf', 'file.managed', { group: 'root', use_in: [{ file: '/etc/baz.conf' }] }),
      ]),
    );
    const bar = run.chunks.find((c) => c.id === '/etc/bar.conf')!;
    expect(bar.args).toEqual({ name: '/etc/bar.conf', contents: 'bar', user: 'root', group: 'adm', mode: '0640' });
    expect(bar.meta.onlyif).toEqual(['true']);
    expect(bar.requisites.filter((r) => !r.implicit)).toEqual([]); // /etc orders it implicitly, not foo's require
    expect(run.chunks.find((c) => c.id === '/etc/baz.conf')!.args).toEqual({
      name: '/etc/baz.conf',
      mode: '0600',
      group: 'root',
    });
    expect(() => compile(high([decl('/a', 'file.managed', { use: [{ file: '/nope' }] })]))).toThrow(
      /main\.sls:\d+: state '\/a' \(file.managed\): use target 'file: \/nope' not found/,
    );
  });
});

describe('compile: requisites', () => {
  const kinds = ['require', 'watch', 'onchanges', 'onfail', 'prereq', 'listen'] as const;

  for (const kind of kinds) {
    it(`${kind} and ${kind}_in resolve to the same link`, () => {
      const direct = compile(high([decl('t', 'test.nop'), decl('s', 'test.nop', { [kind]: [{ test: 't' }] })]));
      expect(reqs(direct, 's')).toEqual([{ kind, any: kind === 'onfail', targets: ['t'] }]);
      const inverse = compile(
        high([decl('t', 'test.nop', { [`${kind}_in`]: [{ test: 's' }] }), decl('s', 'test.nop')]),
      );
      expect(reqs(inverse, 's')).toEqual([{ kind, any: false, targets: ['t'] }]);
    });
  }

  it('orders: require/watch/onchanges/onfail after their target; prereq before; listen not at all', () => {
    const run = compile(
      high([
        decl('t', 'test.nop'),
        decl('r', 'test.nop', { require: 't' }),
        decl('p', 'test.nop', { prereq: [{ test: 't' }] }),
        decl('l', 'test.nop', { listen: [{ test: 't' }] }),
      ]),
    );
    const preds = (id: string) =>
      [...run.after.get(run.chunks.find((c) => c.id === id)!.key)!].map((k) => run.byKey.get(k)!.id);
    expect(preds('r')).toEqual(['t']);
    expect(preds('t')).toEqual(['p']);
    expect(preds('l')).toEqual([]);
  });

  it('matches "module: X" by ID or by name, bare IDs, sls targets and globs', () => {
    const run = compile(
      high([
        decl('conf', 'test.nop', { name: '/etc/app.conf' }),
        decl('a1', 'test.nop', {}, { sls: 'app' }),
        decl('a2', 'test.nop', {}, { sls: 'app' }),
        decl('byname', 'test.nop', { require: [{ test: '/etc/app.conf' }] }),
        decl('byid', 'test.nop', { require: ['conf'] }),
        decl('bysls', 'test.nop', { require: [{ sls: 'app' }] }),
        decl('glob', 'test.nop', { require: [{ test: 'a?' }] }),
        decl('any', 'test.nop', { require_any: [{ test: 'a1' }, { test: 'a2' }] }),
      ]),
    );
    expect(reqs(run, 'byname')[0]!.targets).toEqual(['conf']);
    expect(reqs(run, 'byid')[0]!.targets).toEqual(['conf']);
    expect(reqs(run, 'bysls')[0]!.targets).toEqual(['a1', 'a2']);
    expect(reqs(run, 'glob')[0]!.targets).toEqual(['a1', 'a2']);
    expect(reqs(run, 'any')[0]).toEqual({ kind: 'require', any: true, targets: ['a1', 'a2'] });
  });

  it('a module requisite matches only states of that module', () => {
    const d = decl('s', 'test.nop', { require: [{ file: 'conf' }] });
    expect(() => compile(high([decl('conf', 'test.nop'), d]))).toThrow(
      `main.sls:${d.args[0]!.loc.line}: state 's' (test.nop): require target 'file: conf' not found`,
    );
  });

  it('a missing target is a CompileError at the requisite line, also for *_in and sls', () => {
    const d = decl('s', 'test.nop', { watch_in: [{ test: 'nope' }] });
    expect(() => compile(high([d]))).toThrow(
      `main.sls:${d.args[0]!.loc.line}: state 's' (test.nop): watch_in target 'test: nope' not found`,
    );
    expect(() => compile(high([decl('s', 'test.nop', { require: [{ sls: 'missing' }] })]))).toThrow(
      /require target 'sls: missing' not found/,
    );
    expect(() => compile(high([decl('s', 'test.nop', { require: 'ghost' })]))).toThrow(
      /require target 'ghost' not found/,
    );
  });

  it("a *_in naming a loaded SLS without states of its own adds nothing (Salt's requisite_in); unloaded: error", () => {
    // 'web' has only include/extend: Salt expands `sls: web` to its IDs, none, so nothing is linked
    const snippet = decl('snippet', 'test.nop', { require_in: [{ sls: 'web' }, { test: 'svc' }] });
    const run = compile(high([snippet, decl('svc', 'test.nop')], { sls: ['main', 'web'] }));
    expect(reqs(run, 'svc')).toEqual([{ kind: 'require', any: false, targets: ['snippet'] }]);
    expect(reqs(run, 'snippet')).toEqual([]);
    expect(() => compile(high([snippet, decl('svc', 'test.nop')]))).toThrow(/require_in target 'sls: web' not found/);
    // a plain require of such an SLS still has nothing to wait for: an error, as Salt fails the state
    const plain = decl('p', 'test.nop', { require: [{ sls: 'web' }] });
    expect(() => compile(high([plain], { sls: ['main', 'web'] }))).toThrow(/require target 'sls: web' not found/);
  });

  it('rejects malformed requisite entries', () => {
    expect(() =>
      compile(high([decl('t', 'test.nop'), decl('s', 'test.nop', { require: [{ test: 't', x: 'y' }] })])),
    ).toThrow(/single "module: ID-or-name" pair/);
  });

  it('names the cycle', () => {
    const h = high([
      decl('a', 'test.nop', { require: 'c' }),
      decl('b', 'test.nop', { require: 'a' }),
      decl('c', 'test.nop', { require: 'b' }),
    ]);
    expect(() => compile(h)).toThrow(RequisiteCycleError);
    try {
      compile(h);
    } catch (e) {
      const path = (e as RequisiteCycleError).path.map((p) => p.replace(/ \(.*\)$/, ''));
      expect(path.length).toBe(4);
      expect(path[0]).toBe(path[3]);
      expect(new Set(path)).toEqual(new Set(['test: a', 'test: b', 'test: c']));
      expect((e as Error).message).toMatch(/^requisite cycle: test: \w \(main\.sls:\d+\) -> /);
    }
  });

  it('a cycle through *_in and prereq is found too', () => {
    expect(() =>
      compile(high([decl('a', 'test.nop', { require_in: 'b' }), decl('b', 'test.nop', { prereq: 'a' })])),
    ).toThrow(RequisiteCycleError);
  });

  it('order: first, numbers, unspecified, last; ties keep declaration order', () => {
    const run = compile(
      high([
        decl('z', 'test.nop', { order: 'last' }),
        decl('u1', 'test.nop'),
        decl('n2', 'test.nop', { order: 2 }),
        decl('u2', 'test.nop'),
        decl('f', 'test.nop', { order: 'first' }),
        decl('n1', 'test.nop', { order: 1 }),
      ]),
    );
    expect(run.chunks.map((c) => c.id)).toEqual(['f', 'n1', 'n2', 'u1', 'u2', 'z']);
    const preds = (id: string) =>
      new Set([...run.after.get(run.chunks.find((c) => c.id === id)!.key)!].map((k) => run.byKey.get(k)!.id));
    expect(preds('u1')).toEqual(new Set(['f', 'n1', 'n2']));
    expect(preds('z')).toEqual(new Set(['f', 'n1', 'n2', 'u1', 'u2']));
  });

  it('a requisite wins over order (no deadlock)', () => {
    const run = compile(
      high([decl('early', 'test.nop', { order: 'first', require: 'late' }), decl('late', 'test.nop')]),
    );
    expect([...run.after.get(run.chunks.find((c) => c.id === 'late')!.key)!]).toEqual([]);
  });
});

describe('compile: implicit directory ordering', () => {
  it('a state on a path under a managed directory requires the nearest one', () => {
    const run = compile(
      high([
        decl('conf', 'file.managed', { name: '/srv/app/etc/app.conf', contents: 'x' }),
        decl('etc', 'file.directory', { name: '/srv/app/etc' }),
        decl('app', 'file.directory', { name: '/srv/app' }),
        decl('elsewhere', 'file.managed', { name: '/etc/other', contents: 'x' }),
      ]),
    );
    expect(reqs(run, 'conf')).toEqual([{ kind: 'require', any: false, targets: ['etc'] }]);
    expect(reqs(run, 'etc')).toEqual([{ kind: 'require', any: false, targets: ['app'] }]);
    expect(reqs(run, 'elsewhere')).toEqual([]);
  });

  it('an explicit requisite the other way round wins (no cycle)', () => {
    const run = compile(
      high([
        decl('dir', 'file.directory', { name: '/srv/x', require: [{ file: '/srv/x/f' }] }),
        decl('f', 'file.managed', { name: '/srv/x/f', contents: '' }),
      ]),
    );
    expect(reqs(run, 'f')).toEqual([]);
  });
});

describe('linked states (what file.directory clean keeps)', () => {
  it(
    'lists require/watch links either way: written, *_in, implicit directory ordering; not onchanges or ' + 'unrelated',
    () => {
      const run = compile(
        high([
          decl('dir', 'file.directory', { name: '/srv/d', clean: true, require: [{ file: 'req' }] }),
          decl('req', 'file.managed', { name: '/elsewhere/req', contents: '' }),
          decl('in', 'file.managed', {
            name: '/srv/d/in',
            contents: '',
            makedirs: true,
            require_in: [{ file: 'dir' }],
          }),
          decl('under', 'file.managed', { name: '/srv/d/sub/under', contents: '', makedirs: true }),
          decl('watcher', 'cmd.run', { name: 'true', watch: [{ file: 'dir' }] }),
          decl('onch', 'cmd.run', { name: 'false', onchanges: [{ file: 'dir' }] }),
          decl('other', 'file.managed', { name: '/other', contents: '' }),
        ]),
      );
      const dir = run.chunks.find((c) => c.id === 'dir')!;
      const names = linkedStates(dir, run.byKey)
        .map((s) => `${s.module}.${s.fun} ${s.name}`)
        .sort();
      expect(names).toEqual([
        'cmd.run true',
        'file.managed /elsewhere/req',
        'file.managed /srv/d/in',
        'file.managed /srv/d/sub/under',
      ]);
    },
  );
});
