// Hostile and broken input through the built CLI: a template in an SLS, a pillar file or a salt://
// source cannot run code on the controller (each attack tries to write a marker file), budgets
// end what would hang or exhaust memory, and every bad input is exit 3 with one line naming the
// file, never a stack. Ends with a seeded sample of the fuzz cases run through the real CLI.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_TREE, mutate, prng, TARGETS } from '../../unit/fuzz/mutate.js';
import { brine, build, cleanScratch, REPO, scratch, treeHash } from './tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

const TOP = "base:\n  '*':\n    - a\n";
const PILLAR_TOP = "base:\n  '*':\n    - p\n";
const code = (marker: string) =>
  JSON.stringify(`process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`);
const NOT_A_CRASH = /internal error|\n\s+at |Cannot read properties|Maximum call stack/;

function expectUserError(r: { code: number | undefined; stdout: string; stderr: string }, file: RegExp): void {
  expect(r.code, r.stderr || r.stdout).toBe(3);
  expect(r.stderr).toMatch(file);
  expect(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('brine:')),
  ).toHaveLength(1);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(NOT_A_CRASH);
}

describe('a template cannot run code on the controller', () => {
  it('in an SLS: exit 3 naming file:line, in --test and in a real run, nothing ran or changed', async () => {
    const s = scratch({ 'top.sls': TOP });
    const marker = join(s.dir, 'PWNED');
    const vectors = [
      `{{ ''.constructor.constructor(${code(marker)})() }}`,
      `{{ range.constructor(${code(marker)})() }}`,
      `{% set c = cycler(1) %}{{ c.next.constructor(${code(marker)})() }}`,
      `{{ (''|attr('constructor')|attr('constructor'))(${code(marker)})() }}`,
      `{{ x.__proto__ }}`,
      `{{ joiner().caller }}`,
    ];
    const before = treeHash(s.root);
    for (const v of vectors) {
      s.write('states/a.sls', `x:\n  test.nop: []\n{% set y = 1 %}\n${v}\n`);
      for (const args of [['highstate', '--test'], ['highstate']]) {
        const r = await brine(s, args);
        expectUserError(r, /^brine: a\.sls:4: /m);
        expect(existsSync(marker), v).toBe(false);
      }
    }
    expect(treeHash(s.root)).toBe(before);
  }, 180_000);

  it('in a pillar file: exit 3 naming the pillar file, for highstate --test and show pillar', async () => {
    const s = scratch({ 'top.sls': TOP, 'a.sls': 'x:\n  test.nop: []\n' }, { 'top.sls': PILLAR_TOP });
    const marker = join(s.dir, 'PWNED');
    s.write('pillar/p.sls', `a: 1\nb: {{ ''['constructor']['constructor'](${code(marker)})() }}\n`);
    expectUserError(
      await brine(s, ['highstate', '--test']),
      /^brine: pillar file p\.sls:2: access to 'constructor' is not allowed/m,
    );
    expectUserError(
      await brine(s, ['show', 'pillar'], ['--states', s.states, '--pillar', s.pillar, '--env', s.env]),
      /^brine: pillar file p\.sls:2: /m,
    );
    expect(existsSync(marker)).toBe(false);
  }, 120_000);

  it('in a salt:// file template: the state fails naming the template, nothing ran', async () => {
    const s = scratch({ 'top.sls': TOP });
    const marker = join(s.dir, 'PWNED');
    s.write('states/t.j2', `line 1\n{{ range.constructor(${code(marker)})() }}\n`);
    s.write(
      'states/a.sls',
      'f:\n  file.managed:\n    - name: /etc/x.conf\n    - source: salt://t.j2\n    - template: jinja\n',
    );
    for (const args of [['highstate', '--test'], ['highstate']]) {
      const r = await brine(s, args);
      // exit 1 while file templates render during the run; 3 once everything renders before the first change
      expect([1, 3], r.stdout + r.stderr).toContain(r.code);
      expect(`${r.stdout}${r.stderr}`).toMatch(/t\.j2:2: access to 'constructor' is not allowed in a template/);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(NOT_A_CRASH);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(s.root, 'etc/x.conf'))).toBe(false);
  }, 120_000);
});

describe('budgets end what would hang or exhaust memory', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['range(10**9)', '{% for i in range(10**9) %}{% endfor %}', /range\(1000000000\) would have/],
    ["'x' * 10**9", "{% set s = 'x' * 10**9 %}", /would have 1000000000 characters/],
    ['[0] * 10**9', '{% set l = [0] * 10**9 %}', /would have 1000000000 items/],
    ['a recursive macro', '{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}', /calls nest deeper than/],
    [
      '30 nested blocks on one line',
      `${'{% for i in [1, 2] %}'.repeat(30)}x${'{% endfor %}'.repeat(30)}`,
      /budget of 2 s|iterations/,
    ],
  ];
  for (const [what, tpl, msg] of cases) {
    it(`${what}: exit 3 naming the file within seconds`, async () => {
      const s = scratch({ 'top.sls': TOP, 'a.sls': `x:\n  test.nop: []\n${tpl}\n` });
      process.env.BRINE_RENDER_TIMEOUT = '2';
      try {
        const t0 = Date.now();
        const r = await brine(s, ['highstate', '--test']);
        expectUserError(r, /^brine: a\.sls:3: /m);
        expect(r.stderr).toMatch(msg);
        expect(Date.now() - t0).toBeLessThan(60_000); // wall clock on a loaded 2-core machine; a hang never ends
      } finally {
        delete process.env.BRINE_RENDER_TIMEOUT;
      }
    }, 120_000);
  }
});

describe('bad input: exit 3 with file:line, never an internal error', () => {
  const sls: Array<[string, string, RegExp]> = [
    [
      'mode: 9999 fails at compile time',
      'x:\n  file.managed:\n    - name: /x\n    - mode: 9999\n',
      /^brine: a\.sls:4: state 'x' \(file\.managed\): argument 'mode' must be a file mode/m,
    ],
    [
      'a state requiring itself',
      'x:\n  test.nop:\n    - require:\n      - test: x\n',
      /^brine: a\.sls:3: .*is the state itself/m,
    ],
    ['an unknown state function', 'x:\n  file.manged: []\n', /^brine: a\.sls:2: .*did you mean 'file\.managed'/m],
    [
      'a missing pillar key',
      "x:\n  test.nop:\n    - name: {{ pillar['nope']['b'] }}\n",
      /^brine: a\.sls:3: .*pillar\['nope'\] is missing/m,
    ],
    ['a truncated {%- for', 'x:\n  test.nop: []\n{%- for i in [1] %}\n', /^brine: a\.sls:3: .*never closed/m],
    ['a null state body', 'x: null\n', /^brine: a\.sls:1: /m],
    ['- require: null', 'x:\n  test.nop:\n    - require: null\n', /^brine: a\.sls:3: /m],
    [
      'deep nesting',
      `x:\n  test.nop:\n    - name: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      /^brine: a\.sls:3: invalid YAML: nested too deeply/m,
    ],
  ];
  for (const [what, text, msg] of sls) {
    it(what, async () => {
      const s = scratch({ 'top.sls': TOP, 'a.sls': text });
      expectUserError(await brine(s, ['highstate', '--test']), msg);
    }, 60_000);
  }

  it('a top file that selects nothing', async () => {
    const s = scratch({ 'top.sls': "base:\n  'db*':\n    - a\n", 'a.sls': 'x:\n  test.nop: []\n' });
    expectUserError(
      await brine(s, ['highstate', '--test', '--id', 'web1']),
      new RegExp(
        String.raw`^brine: top\.sls: No Top file or master_tops data matches found: none of its 1 target\(s\) ` +
          "matches minion 'web1'$",
        'm',
      ),
    );
  }, 60_000);

  it('an alias bomb in env.yml', async () => {
    const s = scratch({ 'top.sls': TOP, 'a.sls': 'x:\n  test.nop: []\n' });
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 11; i++)
      bomb.push(
        `b${i}: &b${i} [${Array(9)
          .fill(i === 1 ? '*a' : `*b${i - 1}`)
          .join(', ')}]`,
      );
    writeFileSync(s.env, `${readFileSync(s.env, 'utf8')}\n${bomb.join('\n')}\n`);
    expectUserError(await brine(s, ['highstate', '--test']), /env\.yml: invalid YAML: too many aliases/);
  }, 60_000);

  it('a pillar YAML error names its line', async () => {
    const s = scratch(
      { 'top.sls': TOP, 'a.sls': 'x:\n  test.nop: []\n' },
      { 'top.sls': PILLAR_TOP, 'p.sls': 'a: 1\nb: [\nc: 2\n' },
    );
    expectUserError(await brine(s, ['highstate', '--test']), /^brine: pillar file p\.sls:\d+: invalid YAML/m);
  }, 60_000);
});

describe('fuzz sample through the CLI', () => {
  it('16 seeded mutations: exit 0, 2 or 3; an error is one line naming a file; no crash, no hang', async () => {
    const rand = prng(7);
    const problems: string[] = [];
    for (let i = 0; i < 16; i++) {
      const target = TARGETS[Math.floor(rand() * TARGETS.length)]!;
      const states: Record<string, string> = {};
      const pillar: Record<string, string> = {};
      for (const [k, v] of Object.entries(BASE_TREE))
        (k.startsWith('states/') ? states : pillar)[k.replace(/^(states|pillar)\//, '')] = v;
      const s = scratch(states, pillar);
      const path = join(s.dir, target);
      const text = mutate(
        rand,
        target === 'env.yml' ? readFileSync(join(REPO, 'pillar/default-env.yml'), 'utf8') : BASE_TREE[target]!,
      );
      writeFileSync(path, text);
      const t0 = Date.now();
      const r = await brine(s, ['highstate', '--test', '--id', 'm1']);
      const label = `case ${i} (${target}) exit ${r.code} in ${Date.now() - t0} ms: ${r.stderr.slice(0, 400)}`;
      if (![0, 2, 3].includes(r.code ?? -1)) problems.push(label);
      if (NOT_A_CRASH.test(r.stdout + r.stderr)) problems.push(`${label} (crash text)`);
      if (r.code === 3 && !/^brine: .*\.(?:sls|yml|j2|jinja)\b/m.test(r.stderr))
        problems.push(`${label} (names no file)`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  }, 600_000);
});
