// Seeded generation of hostile and broken inputs for the fuzz tests: valid SLS, top, pillar,
// env.yml and template texts, mutated by truncation, wrong types, nulls, alias bombs, deep
// nesting, huge numbers, odd unicode and Jinja fragments.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Where the fuzz tests write their many small trees: memory when the machine has it (fast). */
export function scratchBase(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** mulberry32: a small, fast, seeded PRNG (the same seed gives the same cases on every machine). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Values that replace a scalar: wrong types, nulls, huge numbers, odd unicode, Jinja. */
export const ODD_VALUES = [
  'null',
  '~',
  '[]',
  '{}',
  '[null]',
  '{a: null}',
  '- x',
  '9999',
  '99999999999999999999999',
  '1e308',
  '-1',
  '0o777',
  '.nan',
  '"\\u0000"',
  '"\\ud800"',
  '"\u202egnp.x"',
  '"\u200b"',
  '"😀"',
  "'x'",
  '"a: b"',
  '!!binary aGVsbG8=',
  '!!python/object:os.system x',
  '&x [*x]',
  '*nope',
  '"{{ 1 }}"',
  '{{ none }}',
  '{{ pillar["nope"]["deeper"] }}',
  '[1, [2, [3, [4]]]]',
  '"\\t"',
  '"%s"',
  'yes',
  'on',
  '2026-12-02',
  '"' + 'x'.repeat(5000) + '"',
];

/** Fragments spliced into template text. */
export const JINJA_FRAGMENTS = [
  '{%- for',
  '{% for x in y %}',
  '{% endfor %}',
  '{% if %}',
  '{% if 1 %}',
  '{% endif %}',
  '{{',
  '}}',
  '{{ }}',
  '{#',
  '{% raw %}',
  '{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}',
  '{{ range(10**9)|length }}',
  "{{ ('x' * 10**9)|length }}",
  '{{ ([0] * 10**9)|length }}',
  '{{ "".constructor.constructor("return process")() }}',
  '{{ x.__proto__ }}',
  '{{ range.constructor }}',
  '{{ cycler.__init__ }}',
  '{{ joiner().caller }}',
  "{{ ''|attr('constructor') }}",
  '{% set __proto__ = 1 %}',
  '{{ "{0.constructor}".format(1) }}',
  "{{ pillar['a']['b'] }}",
  "{{ salt['nope.nope']() }}",
  "{{ salt['pillar.get']('a:b', {}) }}",
  '{{ 1/0 }}',
  '{{ 10**10**10 }}',
  '{{ "%1000000000s" % 1 }}',
  "{{ 'a'.ljust(10**9) }}",
  '{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}',
  '{% include "nope.sls" %}',
  '{% import "../../etc/passwd" as x %}',
  '{% from "top.sls" import nope %}',
  '{{ caller() }}',
  '{% set x = namespace() %}{% set x.__proto__ = 1 %}',
  '{% do %}',
  '{% extends "a.sls" %}',
  '{{ self }}',
  '{{ loop.cycle() }}',
  '{{ [1,2][5] }}',
  '{{ {}.x.y }}',
  '{{ "a" ~ none ~ undefined_thing }}',
  '{% call %}{% endcall %}',
  '\u0000',
  '\r\n',
  '\t',
];

const NEST = ['[', '{a: ', '- ', '  '];

/** An alias bomb (9 ** depth references when expanded). */
export function aliasBomb(depth: number): string {
  let s = 'bomb0: &b0 [x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i <= depth; i++) {
    const p = `*b${i - 1}`;
    s += `bomb${i}: &b${i} [${Array(9).fill(p).join(', ')}]\n`;
  }
  return s;
}

/** One random mutation of `text`. */
export function mutateOnce(r: Rand, text: string): string {
  const lines = text.split('\n');
  const at = Math.floor(r() * (text.length + 1));
  const li = Math.floor(r() * lines.length);
  switch (Math.floor(r() * 12)) {
    case 0: // truncate
      return text.slice(0, at);
    case 1: {
      // a scalar value replaced (the text after the last ': ' or '- ' of a line)
      const l = lines[li]!;
      const m = /^(\s*(?:- )?[^:#]*:\s|\s*- )(.*)$/.exec(l);
      if (m) lines[li] = m[1] + pick(r, ODD_VALUES);
      else lines[li] = l + pick(r, ODD_VALUES);
      return lines.join('\n');
    }
    case 2: // a Jinja fragment spliced in
    case 3:
      return text.slice(0, at) + pick(r, JINJA_FRAGMENTS) + text.slice(at);
    case 4: {
      // deep nesting
      const n = pick(r, [50, 500, 5000]);
      const open = pick(r, NEST);
      const close = open === '[' ? ']' : open === '{a: ' ? '}' : '';
      return `${text}\ndeep: ${open.repeat(n)}1${close.repeat(n)}\n`;
    }
    case 5: // alias bomb
      return `${aliasBomb(pick(r, [3, 6, 9]))}${text}`;
    case 6: // a line deleted
      lines.splice(li, 1);
      return lines.join('\n');
    case 7: // a line duplicated
      lines.splice(li, 0, lines[li]!);
      return lines.join('\n');
    case 8: // indentation broken
      lines[li] = pick(r, ['', ' ', '\t', '      ']) + lines[li]!.trimStart();
      return lines.join('\n');
    case 9: {
      // a key made a non-string or a reserved word
      const l = lines[li]!;
      const m = /^(\s*)([^:\s#][^:]*):(.*)$/.exec(l);
      const keys = [
        '1',
        'null',
        '[a]',
        '{a: 1}',
        'include',
        'extend',
        '__x',
        'constructor',
        '__proto__',
        'true',
        '"a.b.c"',
      ];
      if (m) lines[li] = `${m[1]}${pick(r, keys)}:${m[3]}`;
      return lines.join('\n');
    }
    case 10: {
      // random characters
      const junk = pick(r, [
        '\u0000',
        '\ufeff',
        '\u00a0',
        '"',
        "'",
        '&',
        '*',
        '!',
        '%',
        '@',
        '`',
        '|',
        '>',
        '{',
        '}',
        '[',
        ']',
        ':',
        '#',
        '\\',
      ]);
      return text.slice(0, at) + junk + text.slice(at);
    }
    default: // everything doubled (duplicate keys)
      return `${text}\n${text}`;
  }
}

export function mutate(r: Rand, text: string): string {
  let out = text;
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) out = mutateOnce(r, out);
  return out;
}

/** A valid tree the mutations start from (states, pillar, env), small but using every feature. */
export const BASE_TREE: Record<string, string> = {
  'states/top.sls': "base:\n  '*':\n    - web\n  'm*':\n    - match: glob\n    - db\n",
  'states/web/init.sls': [
    "{% set port = salt['pillar.get']('web:port', 8080) %}",
    '{% from "web/macros.jinja" import conf with context %}',
    'include:',
    '  - .files',
    '',
    'web-dir:',
    '  file.directory:',
    '    - name: /srv/web',
    "    - mode: '0755'",
    '    - makedirs: True',
    '',
    '{% for site in pillar.get("sites", []) %}',
    '/srv/web/{{ site.name }}.conf:',
    '  file.managed:',
    '    - contents: {{ conf(site.name, port) | yaml }}',
    '    - mode: 644',
    '    - require:',
    '      - file: web-dir',
    '{% endfor %}',
    '',
    'web-check:',
    '  cmd.run:',
    '    - name: test -d /srv/web',
    '    - onchanges:',
    '      - file: web-dir',
  ].join('\n'),
  'states/web/macros.jinja':
    '{% macro conf(name, port) -%}\nserver {{ name }} listens on {{ port }}\n{%- endmacro %}\n',
  'states/web/files.sls': [
    '/srv/web/index.html:',
    '  file.managed:',
    '    - source: salt://web/index.html.j2',
    '    - template: jinja',
    '    - context:',
    "        title: {{ grains['id'] }}",
    '    - require:',
    '      - file: web-dir',
  ].join('\n'),
  'states/web/index.html.j2':
    '<h1>{{ title }}</h1>\n{% for s in pillar.get("sites", []) %}<p>{{ s.name|upper }} {{ loop.index }}</p>\n{% ' +
    'endfor %}',
  'states/db.sls': [
    'db-notice:',
    '  test.show_notification:',
    "    - text: {{ pillar.get('db', {}).get('name', 'none') }}",
    'db-after:',
    '  test.nop:',
    '    - require:',
    '      - test: db-notice',
  ].join('\n'),
  'pillar/top.sls': "base:\n  '*':\n    - common\n",
  'pillar/common.sls':
    "web:\n  port: 8443\nsites:\n  - name: alpha\n  - name: beta\ndb:\n  name: {{ grains['id'] }}_db\n",
};

/** Which file of the tree a case mutates (env.yml is the real default env, added by the test). */
export const TARGETS = [
  'states/top.sls',
  'states/web/init.sls',
  'states/web/files.sls',
  'states/web/index.html.j2',
  'states/web/macros.jinja',
  'states/db.sls',
  'pillar/top.sls',
  'pillar/common.sls',
  'env.yml',
] as const;
