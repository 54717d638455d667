// Render errors: one RenderError naming the file (relative to the states dir) and line, never a
// silent wrong value or a stack trace.
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../../engine/errors.js';
import { renderer } from './fixture.js';
import { toRenderError } from '../../../engine/render/errors.js';
import { LOC_MARK } from '../../../engine/render/patch-runtime.js';

const r = renderer({
  'macros.jinja': '{% macro bad() %}\nline2\n{{ missing_var }}\n{% endmacro %}\n',
  'broken.jinja': 'ok\n{% if %}\n',
  'inc/data.yml': 'a: [1\n',
});

const cases: Array<[string, string, string, number | undefined, RegExp]> = [
  ['undefined variable printed', 'a\nb\n{{ nope }}', 'x.sls', 3, /printing an undefined value/],
  ['attribute of missing key', 'a\n\n{{ pillar.zzz.sub }}', 'x.sls', 3, /cannot read 'sub' of an undefined value/],
  ['undefined in if', '{% if nope %}x{% endif %}', 'x.sls', 1, /testing an undefined value/],
  ['for over undefined', '\n{% for x in nope %}{% endfor %}', 'x.sls', 2, /for loop over an undefined value/],
  ['syntax error', 'a\n{% if %}', 'x.sls', 2, /unexpected '%\}'/],
  ['unknown tag', '{% trans %}x{% endtrans %}', 'x.sls', 1, /unknown tag \{% trans %\}/],
  ['unknown filter', 'a\n{{ 1|nosuchfilter }}', 'x.sls', 2, /filter not found: nosuchfilter/],
  [
    'a salt function brine lacks',
    "\n\n{{ salt['publish.publish']('*', 'x') }}",
    'x.sls',
    3,
    /salt\['publish.publish'\] is not an execution function brine has \(brine follows Salt 3006/,
  ],
  [
    'a salt function brine lacks, attribute style',
    '{{ salt.publish.publish("x") }}',
    'x.sls',
    1,
    /salt\['publish.publish'\] is not an execution function brine has/,
  ],
  [
    'a target function without a target',
    '{{ salt.cmd.run("id") }}',
    'x.sls',
    1,
    /salt\['cmd.run'\] runs on the target, and this render has no target/,
  ],
  ['Jinja phrasing: unclosed expression', "{{ 'x' }\n", 'x.sls', 1, /^expected \}\} to end the expression$/],
  ['Jinja phrasing: unclosed if', 'a\n{% if x %}', 'x.sls', 2, /\{% if %\} is not closed with \{% endif %\}/],
  ['Jinja phrasing: missing comma in a list', '{{ [1, 2 }}', 'x.sls', 1, /expected , or \], got '\}\}'/],
  ['Jinja phrasing: unknown tag', '{% frob %}', 'x.sls', 1, /unknown tag \{% frob %\}/],
  ['Jinja phrasing: unexpected token', '{% set x = %}', 'x.sls', 1, /unexpected '%\}'/],
  [
    'a blank line before {%- for %} keeps the line',
    'a\n\n{%- for x in [1] %}\nb\n{{ x.nope.z }}\n{% endfor %}',
    'x.sls',
    5,
    /cannot read 'z' of an undefined value/,
  ],
  ['comparing an undefined value', '{% if pillar.nope == 1 %}{% endif %}', 'x.sls', 1, /comparing an undefined value/],
  [
    'macro with an unknown keyword',
    '{% macro m(a) %}{% endmacro %}{{ m(1, b=2) }}',
    'x.sls',
    1,
    /macro 'm' takes no keyword argument 'b'/,
  ],
  [
    'unknown keyword to a filter',
    "{{ 'a'|indent(wdth=2) }}",
    'x.sls',
    1,
    /indent\(\) got an unexpected keyword argument 'wdth'/,
  ],
  [
    'unknown keyword to pillar.get',
    "{{ salt['pillar.get']('a', dflt=1) }}",
    'x.sls',
    1,
    /pillar.get\(\) got an unexpected keyword argument 'dflt'/,
  ],
  [
    'keyword to a filter that takes none',
    "{{ 'a'|upper(x=1) }}",
    'x.sls',
    1,
    /filter 'upper' does not take keyword arguments/,
  ],
  ['% with too few args', "{{ '%s %s' % ('a',) }}", 'x.sls', 1, /not enough arguments/],
  ['unpack count mismatch', '{% set a, b = [1, 2, 3] %}', 'x.sls', 1, /cannot unpack 3 values into 2 variables/],
  ['add str and int', "{{ 'a' + 1 }}", 'x.sls', 1, /cannot add 'a' and 1/],
  ['method shadowed by a real key', '{{ pillar.get("x") }}', 'x.sls', 1, /it is not a function/],
  [
    'missing include names the including file and line',
    "a\n{% include 'nope.jinja' %}",
    'x.sls',
    2,
    /template not found: nope.jinja/,
  ],
  [
    'error inside an imported macro names the macro file',
    "{% from 'macros.jinja' import bad %}\n{{ bad() }}",
    'macros.jinja',
    3,
    /printing an undefined value/,
  ],
  ['syntax error inside an included file', "{% include 'broken.jinja' %}", 'broken.jinja', 2, /unexpected '%\}'/],
  [
    'bad YAML in import_yaml',
    "{% import_yaml 'inc/data.yml' as d %}",
    'x.sls',
    1,
    /import_yaml inc\/data.yml: invalid YAML/,
  ],
  ['break outside a loop', '{% break %}', 'x.sls', 1, /'break' outside a for loop/],
  [
    'bad YAML in a load_yaml block',
    '{% load_yaml as y %}\na: [1\n{% endload %}',
    'x.sls',
    1,
    /^load_yaml block: invalid YAML/,
  ],
  ['unquoted dict key that is not a variable', '{{ {nope: 1} }}', 'x.sls', 1, /dict key is an undefined value/],
  ['path leaving the states dir', "{% include '../../etc/passwd' %}", 'x.sls', 1, /template not found/],
];

describe('render: errors name file and line', () => {
  it.each(cases)('%s', (_n, tpl, file, line, msg) => {
    let err: unknown;
    try {
      r.renderString(tpl, 'x.sls');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RenderError);
    const re = err as RenderError;
    expect(re.file).toBe(file);
    expect(re.line).toBe(line);
    expect(re.reason).toMatch(msg);
    expect(re.message).not.toContain('\n');
    // Jinja terms, not nunjucks internals
    expect(re.reason).not.toMatch(/parse[A-Z]|variable end|block end|unexpected token/);
    expect(re.message).toBe(`${file}${line ? `:${line}` : ''}: ${re.reason}`);
  });

  it('a fault a nested render already shaped keeps Jinja terms (no "(unknown path)", no "Error:")', () => {
    // the shape nunjucks hands over when the call fails inside a template imported with context
    const raw =
      '(a/b.sls) [Line 11, Column 37]\n  (a/b.sls) [Line 66, Column 5]\n' +
      `  ${LOC_MARK}a/b.sls${LOC_MARK}11${LOC_MARK} (unknown path)\n` +
      '  Error: Unable to call `salt["file.contains_regex"]`, which is undefined or falsey';
    expect(toRenderError(new Error(raw), 'a/b.sls').message).toBe(
      "a/b.sls:11: salt['file.contains_regex'] is not an execution function brine has " +
        "(brine follows Salt 3006; see the README's Salt compatibility section)",
    );
  });

  it('renderFile of a missing file is a RenderError naming it', () => {
    expect(() => r.renderFile('nope/init.sls')).toThrow(/^nope\/init.sls: cannot read: ENOENT$/);
  });
});

describe('render: compiled templates are shared, renders are not', () => {
  it('two renderers with different pillars render the same template differently', async () => {
    const { renderer: make } = await import('./fixture.js');
    const a = make({}, { v: 'A' });
    const b = make({}, { v: 'B' });
    expect(a.renderString('{{ pillar.v }}', 'same.sls')).toBe('A');
    expect(b.renderString('{{ pillar.v }}', 'same.sls')).toBe('B');
  });
});
