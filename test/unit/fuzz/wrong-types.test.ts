// Every position of an SLS and a top file given a wrong type (null, lists, maps, numbers, dates,
// binary, nested requisites): each input compiles or is an exit-3 BrineError naming the file,
// never a JavaScript error ("Cannot read properties of null") or a stack overflow.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { scratchBase } from './mutate.js';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BrineError } from '../../../engine/errors.js';
import { compile } from '../../support/compile.js';
import { loadSls } from '../../../engine/load/index.js';
import { makeRenderer, selectSls } from '../../../engine/pipeline.js';

const ODD = [
  'null',
  '[]',
  '{}',
  '[null]',
  '[[]]',
  '[{}]',
  '{a: null}',
  '1',
  '-1',
  '1e400',
  'true',
  '"x"',
  '[1, 2]',
  '{a: [1]}',
  '[{a: {b: c}}]',
  '!!binary aGk=',
  '2020-01-01',
  '[{require: null}]',
  '{test: null}',
  '[{test: [null]}]',
  '&a [*a]',
  'constructor',
  '__proto__',
];

const arg = (mf: string, key: string) => (v: string) => `x:\n  ${mf}:\n    - ${key}: ${v}\n`;
const SLS: Array<(v: string) => string> = [
  (v) => `x:\n  test.nop: ${v}\n`,
  (v) => `x: ${v}\n`,
  (v) => `${v}:\n  test.nop: []\n`,
  (v) => `x:\n  ${v}: []\n`,
  (v) => `x:\n  test: ${v}\n`,
  (v) => `x:\n  test:\n    - ${v}\n`,
  (v) => `x:\n  test.nop:\n    - names:\n      - ${v}\n`,
  (v) => `x:\n  test.nop:\n    - require:\n      - ${v}\n`,
  (v) => `x:\n  test.nop:\n    - require_in:\n      - ${v}\n`,
  (v) => `x:\n  test.nop:\n    - watch:\n      - test: ${v}\n`,
  (v) => `include: ${v}\n`,
  (v) => `include:\n  - ${v}\n`,
  (v) => `exclude: ${v}\n`,
  (v) => `exclude:\n  - ${v}\n`,
  (v) => `extend: ${v}\n`,
  (v) => `x:\n  test.nop: []\nextend:\n  x: ${v}\n`,
  (v) => `x:\n  test.nop: []\nextend:\n  x:\n    test.nop: ${v}\n`,
  (v) => `x:\n  test.nop: []\nextend:\n  x:\n    test.nop:\n      - require: ${v}\n`,
  (v) => `x:\n  test.nop: []\ny:\n  test.nop:\n    - use:\n      - ${v}\n`,
  ...[
    'name',
    'names',
    'require',
    'watch',
    'onchanges',
    'onfail',
    'prereq',
    'listen',
    'use',
    'onlyif',
    'unless',
    'creates',
    'order',
    'failhard',
    'retry',
    'parallel',
    'aggregate',
  ].map((k) => arg('test.nop', k)),
  ...['source', 'contents', 'context', 'defaults', 'mode', 'user', 'makedirs', 'template', 'check_cmd'].map((k) =>
    arg('file.managed', k),
  ),
  ...['env', 'cwd', 'runas', 'stdin'].map((k) => arg('cmd.run', k)),
  ...['pkgs', 'version', 'hold'].map((k) => arg('pkg.installed', k)),
  arg('service.running', 'enable'),
  arg('file.directory', 'recurse'),
  arg('file.directory', 'exclude_pat'),
];
const TOP: Array<(v: string) => string> = [
  (v) => `base:\n  '*': ${v}\n`,
  (v) => `base:\n  '*':\n    - ${v}\n`,
  (v) => `base:\n  '*':\n    - match: ${v}\n    - a\n`,
  (v) => `base: ${v}\n`,
  (v) => `${v}\n`,
  (v) => `base:\n  ${v}:\n    - a\n`,
];

const dir = mkdtempSync(join(scratchBase(), 'brine-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = { statesDir: dir, pillar: {}, grains: {}, minionId: 'm1' };
// one renderer for every case (what compileStates does per run, without rebuilding the environment)
const renderer = makeRenderer(input);

function problem(top: string, sls: string): string | null {
  writeFileSync(join(dir, 'top.sls'), top);
  writeFileSync(join(dir, 'a.sls'), sls);
  try {
    compile(loadSls(selectSls(input, renderer), { statesDir: dir, renderer }));
    return null;
  } catch (e) {
    if (!(e instanceof BrineError)) return `not a brine error: ${e instanceof Error ? e.stack : String(e)}`;
    if (e.exitCode !== 3) return `exit ${e.exitCode}: ${e.message}`;
    if (!/(?:top|a)\.sls\b/.test(e.message)) return `names no file: ${e.message}`;
    if (/Cannot read properties|is not a function|call stack|undefined \(reading|is not iterable|\n/.test(e.message))
      return `engine message: ${e.message}`;
    return null;
  }
}

describe('wrong types everywhere in an SLS and a top file', () => {
  it(`${SLS.length * ODD.length + TOP.length * ODD.length} inputs: compile, or exit 3 naming the file`, () => {
    const problems: string[] = [];
    for (const make of SLS)
      for (const v of ODD) {
        const text = make(v);
        const p = problem("base:\n  '*':\n    - a\n", text);
        if (p) problems.push(`${JSON.stringify(text)}: ${p}`);
      }
    for (const make of TOP)
      for (const v of ODD) {
        const text = make(v);
        const p = problem(text, 'x:\n  test.nop: []\n');
        if (p) problems.push(`top ${JSON.stringify(text)}: ${p}`);
      }
    expect(problems, problems.slice(0, 5).join('\n')).toEqual([]);
  }, 60_000);
});
