// Compile-time input errors: a state requiring itself, file modes, "did you mean" for unknown
// state functions; the top file selecting nothing; YAML that attacks the loader (alias bombs,
// deep nesting) in SLS, pillar and env.yml. Each is a one-line error naming file:line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { CompileError, EnvError, RenderError } from '../../../engine/errors.js';
import { parseEnv } from '../../../engine/env/parse.js';
import { loadPillarTree } from '../../../engine/env/pillar-tree.js';
import { loadSls } from '../../../engine/load/index.js';
import { Renderer } from '../../../engine/render/index.js';
import { readTop, selectFromTop } from '../../../engine/top/index.js';
import { aliasBomb } from '../fuzz/mutate.js';
import { decl, high } from './highdata-builder.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'brine-input-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
}

describe('compile: input errors', () => {
  it('a state requiring itself says so (not "not found")', () => {
    const d = decl('a', 'test.nop', { require: [{ test: 'a' }] });
    const e = thrown(() => compile(high([d])));
    expect(e).toBeInstanceOf(CompileError);
    expect(e.message).toBe(
      `main.sls:${d.args[0]!.loc.line}: state 'a' (test.nop): require target 'test: a' is the state itself (a state ` +
        `cannot require itself)`,
    );
    expect(thrown(() => compile(high([decl('b', 'test.nop', { watch_in: ['b'] })]))).message).toMatch(
      /watch_in target 'b' is the state itself/,
    );
  });

  it('file modes are checked at compile time: octal digits up to 7777', () => {
    for (const bad of [9999, '9999', '0689', 12345, '0o8', 'rwx']) {
      const d = decl('/x', 'file.managed', { mode: bad });
      const e = thrown(() => compile(high([d])));
      expect(e, String(bad)).toBeInstanceOf(CompileError);
      expect(e.message).toBe(
        `main.sls:${d.args[0]!.loc.line}: state '/x' (file.managed): argument 'mode' must be a file mode: octal ` +
          `digits up to 7777 like '0644' (got ${JSON.stringify(bad)})`,
      );
    }
    for (const good of [644, '0644', '0o755', 7777, '600', 0])
      expect(() => compile(high([decl('/y', 'file.managed', { mode: good })])), String(good)).not.toThrow();
    expect(thrown(() => compile(high([decl('/d', 'file.directory', { dir_mode: 888 })]))).message).toMatch(
      /argument 'dir_mode' must be a file mode/,
    );
  });

  it('an unknown state function or module gets "did you mean"', () => {
    expect(thrown(() => compile(high([decl('a', 'file.manged')]))).message).toMatch(
      /unknown state function 'file.manged' \(did you mean 'file.managed'\?\)$/,
    );
    expect(thrown(() => compile(high([decl('a', 'tset.nop')]))).message).toMatch(
      /unknown state function 'tset.nop' \(no state module 'tset'; did you mean 'test.nop'\?\)$/,
    );
    expect(thrown(() => compile(high([decl('a', 'pkg.instaled')]))).message).toMatch(/did you mean 'pkg.installed'/);
    // no lookup through Object's prototype
    expect(thrown(() => compile(high([decl('a', 'constructor.assign')]))).message).toMatch(
      /unknown state function 'constructor.assign' \(no state module 'constructor'\)$/,
    );
    expect(thrown(() => compile(high([decl('a', 'test.constructor')]))).message).toMatch(
      /unknown state function 'test.constructor'/,
    );
  });
});

describe('top: a top file that selects nothing is an error', () => {
  const select = (text: string, minionId = 'web1') => {
    const dir = tree({ 'top.sls': text });
    return selectFromTop(readTop(dir, new Renderer({ statesDir: dir, pillar: {}, grains: {}, minionId })), {
      minionId,
      pillar: {},
      grains: {},
    });
  };
  it('no matching target', () => {
    const e = thrown(() => select("base:\n  'db*':\n    - db\n"));
    expect(e).toBeInstanceOf(RenderError);
    expect(e.message).toBe(
      "top.sls: No Top file or master_tops data matches found: none of its 1 target(s) matches minion 'web1'",
    );
  });
  it('no targets at all', () => {
    for (const t of ['', 'base: {}\n', 'base:\n'])
      expect(thrown(() => select(t)).message).toMatch(
        /^top\.sls: No Top file or master_tops data matches found: it has no targets$/,
      );
  });
  it('a match selects', () => expect(select("base:\n  'web*':\n    - web\n")).toEqual(['web']));
});

describe('YAML attacks and mistakes: one line with file (and line)', () => {
  it('an alias bomb in an SLS argument', () => {
    const dir = tree({
      'a.sls': `x:\n  test.nop:\n    - name: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n${[1, 2, 3, 4, 5, 6, 7, 8]
        .map(
          (i) =>
            `    - b${i}: &b${i} [${Array(9)
              .fill(i === 1 ? '*a' : `*b${i - 1}`)
              .join(', ')}]`,
        )
        .join('\n')}\n`,
    });
    const e = thrown(() =>
      loadSls(['a'], { statesDir: dir, renderer: new Renderer({ statesDir: dir, pillar: {}, grains: {} }) }),
    );
    expect(e).toBeInstanceOf(RenderError);
    expect(e.message).toMatch(/^a\.sls:\d+: invalid YAML: too many aliases/);
  });
  it('nesting deeper than the parser goes, in an SLS', () => {
    const dir = tree({ 'a.sls': `x:\n  test.nop:\n    - name: ${'['.repeat(5000)}${']'.repeat(5000)}\n` });
    const e = thrown(() =>
      loadSls(['a'], { statesDir: dir, renderer: new Renderer({ statesDir: dir, pillar: {}, grains: {} }) }),
    );
    expect(e.message).toMatch(/^a\.sls:3: invalid YAML: nested too deeply$/);
  });
  it('an alias bomb in a pillar file; a pillar YAML error names its line', () => {
    const top = "base:\n  '*':\n    - p\n";
    const bomb = tree({ 'top.sls': top, 'p.sls': aliasBomb(9) });
    expect(thrown(() => loadPillarTree({ pillarDir: bomb, grains: {}, minionId: 'm' })).message).toMatch(
      /^pillar file p\.sls: invalid YAML: too many aliases/,
    );
    const bad = tree({ 'top.sls': top, 'p.sls': 'a: 1\nb: [\nc: 2\n' });
    const e = thrown(() => loadPillarTree({ pillarDir: bad, grains: {}, minionId: 'm' }));
    expect(e).toBeInstanceOf(RenderError);
    expect((e as RenderError).line).toBeGreaterThan(1);
  });
  it("a key twice in one pillar mapping is refused with its name and line, as Salt's YAML loader refuses it", () => {
    const dup = tree({ 'top.sls': "base:\n  '*':\n    - p\n", 'p.sls': 'ntp:\n  a: 1\n\n# example\nntp:\n  b: 2\n' });
    expect(thrown(() => loadPillarTree({ pillarDir: dup, grains: {}, minionId: 'm' })).message).toBe(
      "pillar file p.sls:5: found conflicting ID 'ntp': a key given twice in one mapping (Salt's YAML loader " +
        'refuses it too)',
    );
  });
  it('an alias bomb in env.yml is an EnvError, not an internal error', () => {
    const e = thrown(() => parseEnv(aliasBomb(11), '/x/env.yml'));
    expect(e).toBeInstanceOf(EnvError);
    expect(e.message).toBe('/x/env.yml: invalid YAML: too many aliases (more than 100: an alias bomb?)');
    expect(thrown(() => parseEnv(`a: ${'['.repeat(5000)}`, '/x/env.yml'))).toBeInstanceOf(EnvError);
  });
});
