// engine/fnmatch.ts against Python's fnmatch.fnmatchcase (what Salt calls), case by case.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fnmatch, hasMagic } from '../../../engine/fnmatch.js';

const CASES: Array<[pattern: string, value: string]> = [
  ['*', 'a/b.c'],
  ['a*c', 'a/x/c'],
  ['a?c', 'a/c'],
  ['a?c', 'ac'],
  ['[!a]x', 'bx'],
  ['[!a]x', 'ax'],
  ['[^a]x', '^x'],
  ['[^a]x', 'bx'],
  ['[a-c]z', 'bz'],
  ['[]]', ']'],
  ['[!]]', 'a'],
  ['a[', 'a['],
  ['a[/]b', 'a/b'],
  ['a+b', 'a+b'],
  ['a+b', 'aab'],
  ['a(b|c)', 'a(b|c)'],
  ['a(b|c)', 'ab'],
  ['{a,b}', 'a'],
  ['{a,b}', '{a,b}'],
  ['@(a)', '@(a)'],
  ['!x', '!x'],
  ['a\\b', 'a\\b'],
  ['a$b', 'a$b'],
  ['a^b', 'a^b'],
  ['a.b', 'aXb'],
  ['*.conf', '/etc/x.conf'],
  ['/etc/*', '/etc/a/b'],
  ['/etc/**/x', '/etc/x'],
  ['.*', '.hidden'],
  ['*', '.hidden'],
  ['2.10*', '2.10.3-1'],
  ['2.10*', '2.1'],
  ['web?', 'web1'],
  ['web?', 'web10'],
  ['foo*', 'foo\nbar'],
  ['a*b*c', 'aXbYc'],
  ['A*', 'a1'],
];

function python(cases: Array<[string, string]>): boolean[] {
  const code =
    'import fnmatch, json, sys\nprint(json.dumps([fnmatch.fnmatchcase(v, p) for p, v in json.load(sys.stdin)]))';
  return JSON.parse(execFileSync('python3', ['-c', code], { input: JSON.stringify(cases) }).toString()) as boolean[];
}

describe('fnmatch (Salt semantics)', () => {
  it("matches as Python's fnmatch.fnmatchcase does", () => {
    const want = python(CASES);
    const got = CASES.map(([p, v]) => fnmatch(v, p));
    const diff = CASES.flatMap(([p, v], i) => (got[i] === want[i] ? [] : [`${p} ~ ${JSON.stringify(v)}: ${got[i]}`]));
    expect(diff).toEqual([]);
    // both outcomes occur: the list tests matching, not a constant
    expect(new Set(got)).toEqual(new Set([true, false]));
  });

  it('nocase folds case; hasMagic tells a glob from a plain name', () => {
    expect(fnmatch('Web1.Example.ORG', 'web?.example.org', { nocase: true })).toBe(true);
    expect(fnmatch('Web1.Example.ORG', 'web?.example.org')).toBe(false);
    expect(fnmatch('[10.0.0.1]:22', '[10.0.0.1]:2?', { brackets: false })).toBe(true);
    expect(fnmatch('1:22', '[10.0.0.1]:2?', { brackets: false })).toBe(false);
    expect(hasMagic('/etc/*.conf')).toBe(true);
    expect(hasMagic('x[1]')).toBe(true);
    expect(hasMagic('/etc/nginx.conf')).toBe(false);
  });
});
