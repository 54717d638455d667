// The template sandbox: no way from a template to the controller's process (each vector tries to
// write a marker file and must fail with a RenderError naming file and line, the marker absent),
// and bounded loops, allocation, recursion and time. What real templates do still works.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RenderError } from '../../../engine/errors.js';
import { Renderer } from '../../../engine/render/index.js';

const dir = mkdtempSync(join(tmpdir(), 'brine-sandbox-'));
const MARKER = join(dir, 'PWNED');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => rmSync(MARKER, { force: true }));

const r = new Renderer({
  statesDir: dir,
  pillar: { a: { x: 1 }, constructor: 'data', items: [1] },
  grains: { id: 'm1' },
  minionId: 'm1',
});

function fails(text: string, file = 'evil.sls'): RenderError {
  try {
    r.renderString(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(RenderError);
    return e as RenderError;
  }
  throw new Error(`rendered without error: ${text}`);
}

// code that writes the marker if it ever runs on the controller
const CODE = JSON.stringify(`process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(MARKER)}, 'x')`);

const VECTORS: Array<[string, string]> = [
  ['constructor of a string', `{{ ''.constructor.constructor(${CODE})() }}`],
  ['subscript syntax', `{{ ''['constructor']['constructor'](${CODE})() }}`],
  ['__proto__', `{{ x.__proto__.constructor.constructor(${CODE})() }}`],
  ['a global function', `{{ range.constructor(${CODE})() }}`],
  ['cycler', `{{ cycler.constructor(${CODE})() }}`],
  ['cycler object', `{% set c = cycler(1) %}{{ c.next.constructor(${CODE})() }}`],
  ['joiner', `{% set j = joiner() %}{{ j.constructor(${CODE})() }}`],
  ['a macro', `{% macro m() %}{% endmacro %}{{ m.constructor(${CODE})() }}`],
  ['caller of a function', `{% set j = joiner() %}{{ j.caller }}`],
  ['a top-level name from Object.prototype', `{{ constructor.constructor(${CODE})() }}`],
  ['__proto__ as a name', `{{ __proto__.constructor.constructor(${CODE})() }}`],
  ['__defineGetter__', `{{ {}.__defineGetter__('x', range) }}`],
  ['__lookupGetter__', `{{ {}.__lookupGetter__('__proto__') }}`],
  ['a dict method', `{% set d = {} %}{{ d.items.constructor(${CODE})() }}`],
  ['a salt function', `{{ salt['pillar.get'].constructor(${CODE})() }}`],
  ['the salt dict', `{{ salt.constructor.constructor(${CODE})() }}`],
  ['attr filter', `{{ (''|attr('constructor')|attr('constructor'))(${CODE})() }}`],
  ['map(attribute=)', `{{ (['']|map(attribute='constructor.constructor')|first)(${CODE})() }}`],
  ['a filter returning a function', `{{ ([range]|first).constructor(${CODE})() }}`],
  ['set to a forbidden name', `{% set constructor = 1 %}{{ constructor }}`],
  ['set attribute __proto__', `{% set ns = namespace() %}{% set ns.__proto__ = {} %}`],
  ['str.format fields', `{{ ('{0.constructor.constructor}'.format('') ~ '')(${CODE}) }}`],
  ['JavaScript methods', `{{ 'x'.repeat(3) }}`],
  ['a loop variable', `{% for f in [range] %}{{ f.constructor(${CODE})() }}{% endfor %}`],
];

describe('sandbox: a template cannot run code on the controller', () => {
  for (const [what, text] of VECTORS) {
    it(what, () => {
      const e = fails(`ok: 1\n${text}\n`);
      expect(e.file).toBe('evil.sls');
      expect(e.line).toBe(2);
      expect(e.message).not.toMatch(/\n|\s+at /);
      expect(existsSync(MARKER)).toBe(false);
    });
  }

  it('an imported template is sandboxed too and named in the error', () => {
    writeFileSync(join(dir, 'lib.jinja'), `{% macro evil() %}{{ range.constructor(${CODE})() }}{% endmacro %}`);
    const e = fails('{% from "lib.jinja" import evil %}\n{{ evil() }}');
    expect(e.file).toBe('lib.jinja');
    expect(e.reason).toMatch(/constructor/);
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe('sandbox: bounded loops, allocation, recursion and time', () => {
  it('range(10**9)', () =>
    expect(fails('{{ range(10**9)|length }}').reason).toMatch(/range\(1000000000\) would have 1000000000 items/));
  it("'x' * 10**9", () =>
    expect(fails("{{ ('x' * 10**9)|length }}").reason).toMatch(/would have 1000000000 characters/));
  it('[0] * 10**9', () => expect(fails('{{ ([0] * 10**9)|length }}').reason).toMatch(/would have 1000000000 items/));
  it("'a'.ljust(10**9)", () => expect(fails("{{ 'a'.ljust(10**9)|length }}").reason).toMatch(/too large/));
  // the budget's message proves the loop stopped (a billion iterations would not end); no wall-clock
  // bound here: a loaded machine made one flaky
  it('deeply nested loops stop at the iteration budget', () => {
    const e = fails(
      '{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% ' +
        'endfor %}',
    );
    expect(e.reason).toMatch(/more than 1000000 iterations/);
  }, 60_000);
  it('30 nested blocks on one line end within the time budget', () => {
    process.env.BRINE_RENDER_TIMEOUT = '1';
    try {
      const t0 = Date.now();
      const e = fails(`${'{% for i in [1, 2] %}'.repeat(30)}x${'{% endfor %}'.repeat(30)}`);
      expect(e.reason).toMatch(/budget of 1 s|iterations/);
      // 2^30 renders without the budget; 30 s leaves room for a loaded machine
      expect(Date.now() - t0).toBeLessThan(30_000);
    } finally {
      delete process.env.BRINE_RENDER_TIMEOUT;
    }
  }, 60_000);
  it('a macro that calls itself', () =>
    expect(fails('{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(1) }}').reason).toMatch(
      /calls nest deeper than 200/,
    ));
  it('a template that imports itself', () => {
    writeFileSync(join(dir, 'self.sls'), '{% from "self.sls" import x %}');
    expect(fails('{% from "self.sls" import x %}').reason).toMatch(/templates imported or included|nests too deeply/);
  });
  it('nesting deeper than the parser goes', () =>
    expect(fails(`{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}`).reason).toMatch(/nests too deeply/));
  it('a self-referencing list printed', () =>
    expect(fails('{% set l = [] %}{% do l.append(l) %}\n{{ l }}').reason).toMatch(/nests too deeply/));
});

describe('sandbox: what real templates do still works', () => {
  const ok = (text: string) => r.renderString(text, 'fine.sls');
  it('pillar keys named like prototype members are data', () =>
    expect(ok("{{ pillar.constructor }} {{ pillar['constructor'] }} {{ pillar.items }}")).toBe('data data [1]'));
  it('dict literals with such keys', () => expect(ok("{% set d = {'constructor': 1} %}{{ d.constructor }}")).toBe('1'));
  it('Python methods, filters, cycler, joiner, namespace, loop.cycle, caller', () => {
    expect(ok("{{ {'a': 1}.items()|list }} {{ 'a,b'.split(',') }} {{ [3,1]|sort|join('-') }}")).toBe(
      "[('a', 1)] ['a', 'b'] 1-3",
    );
    expect(
      ok(
        '{% set c = cycler("a", "b") %}{{ c.next() }}{{ c.next() }}{% set j = joiner("+") %}{% for i in [1,2] %}{{ ' +
          'j() }}{{ loop.cycle("x", "y") }}{% endfor %}',
      ),
    ).toBe('abx+y');
    expect(
      ok('{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}'),
    ).toBe('3');
    expect(ok('{% macro w() %}[{{ caller() }}]{% endmacro %}{% call w() %}in{% endcall %}')).toBe('[in]');
    expect(
      ok(
        "{{ [{'name': 'a'}, {'name': 'b'}]|map(attribute='name')|join(',') }} {{ '{0[k]}-{1}'.format({'k': 'v'}, 2) }}",
      ),
    ).toBe('a,b v-2');
    expect(ok('{{ range(3)|list }} {{ "ab" * 2 }} {{ [0] * 3 }}')).toBe('[0, 1, 2] abab [0, 0, 0]');
  });
});

describe('render errors name what is wrong', () => {
  it("a missing pillar key is named: pillar['nope']['b']", () => {
    const e = fails("x: 1\ny: {{ pillar['nope']['b'] }}");
    expect(e.line).toBe(2);
    expect(e.reason).toMatch(/pillar\['nope'\] is missing/);
  });
  it('a missing variable printed is named', () => expect(fails('{{ nope }}').reason).toMatch(/'nope' is missing/));
  it('a truncated {%- for names the line it opens on', () => {
    const e = fails('a: 1\nb: 2\n{%- for x in [1] %}\nc: 3\n');
    expect(e.line).toBe(3);
    expect(e.reason).toMatch(/never closed/);
  });
  it('a truncated string inside an expression is a syntax error with its line', () => {
    const e = fails("a: 1\nb: {{ pillar.get('a', {}).get('n");
    expect(e.line).toBe(2);
    expect(e.reason).toMatch(/syntax error/);
    expect(e.reason).not.toMatch(/Cannot read properties/);
  });
});
