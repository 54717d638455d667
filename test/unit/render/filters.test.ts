// Filters with Jinja/Salt semantics, keyword arguments included.
import { describe, expect, it } from 'vitest';
import { renderer } from './fixture.js';

const r = renderer();

const cases: Array<[string, string, string]> = [
  [
    'yaml: Salt flow style',
    "{{ {'a': [1, 2], 'b': 'x y', 'c': None, 'd': True}|yaml }}",
    '{a: [1, 2], b: x y, c: null, d: true}',
  ],
  ['yaml: scalars', "{{ 'foo'|yaml }}|{{ 'yes'|yaml }}|{{ 5|yaml }}", "foo|'yes'|5"],
  ['yaml(False): block style', "{{ {'a': [1]}|yaml(False) }}", 'a:\n  - 1'],
  [
    'yaml_encode: strings double-quoted on one line (Salt)',
    "{{ 'a: b'|yaml_encode }}|{{ 'plain'|yaml_encode }}|{{ 'l1\\nl2'|yaml_encode }}|{{ 1|yaml_encode }}",
    '"a: b"|"plain"|"l1\\nl2"|1',
  ],
  ['yaml_dquote', '{{ \'say "hi"\'|yaml_dquote }}', '"say \\"hi\\""'],
  ['yaml_squote', '{{ "it\'s"|yaml_squote }}', "'it''s'"],
  [
    'json: sorted keys, Python separators',
    "{{ {'b': 1, 'a': [1, None, True]}|json }}",
    '{"a": [1, null, true], "b": 1}',
  ],
  ['json: ensure_ascii', "{{ 'é'|json }}", '"\\u00e9"'],
  ['tojson: html safe', "{{ '<a&b>'|tojson }}", '"\\u003ca\\u0026b\\u003e"'],
  ['tojson indent kwarg', "{{ {'a': 1}|tojson(indent=2) }}", '{\n  "a": 1\n}'],
  ['load_yaml', "{{ ('a: [1, 2]'|load_yaml).a }}", '[1, 2]'],
  ['load_yaml yes/no are booleans (YAML 1.1)', "{{ ('x: yes'|load_yaml).x }}", 'True'],
  [
    'load_yaml: y/n stay strings like PyYAML, On/NO are booleans',
    "{{ 'a: y\nn: 1\nb: On\nc: NO'|load_yaml }}",
    "{'a': 'y', 'n': 1, 'b': True, 'c': False}",
  ],
  ['load_json', '{{ (\'{"a": 1}\'|load_json).a }}', '1'],
  ['indent: Jinja default skips first line', "{{ 'a\\nb\\n\\nc'|indent }}", 'a\n    b\n\n    c'],
  ['indent(n, True) indents the first line', "{{ 'a\\nb'|indent(2, True) }}", '  a\n  b'],
  ['indent kwargs width/first', "{{ 'a\\nb'|indent(width=3, first=True) }}", '   a\n   b'],
  ['indent blank=True', "{{ 'a\\n\\nb'|indent(2, blank=True) }}", 'a\n  \n  b'],
  ['indent keeps trailing newline', "{{ 'a\\nb\\n'|indent(2) }}", 'a\n  b\n'],
  ['default on undefined', "{{ nope|default('x') }}|{{ nope|d('y') }}", 'x|y'],
  [
    'default keeps falsy unless boolean',
    "{{ ''|default('x') }}|{{ ''|default('x', true) }}|{{ ''|default('x', boolean=True) }}",
    '|x|x',
  ],
  ['default keeps None', "{{ None|default('x') }}", 'None'],
  ['unique', "{{ [1, 2, 1, 'a', 'A', 'a']|unique }}", "[1, 2, 'a', 'A']"],
  ['map(filter)', "{{ ['a', 'b']|map('upper')|list }}", "['A', 'B']"],
  ['map(attribute=)', "{{ pillar.users|map(attribute='name')|list }}", "['alice', 'bob']"],
  ['map(attribute=, default=)', "{{ [{'a': 1}, {}]|map(attribute='a', default=0)|list }}", '[1, 0]'],
  ['map(filter, args)', "{{ ['a-b']|map('replace', '-', '_')|list }}", "['a_b']"],
  ['selectattr with test', "{{ pillar.users|selectattr('uid', 'gt', 1001)|map(attribute='name')|list }}", "['bob']"],
  ['selectattr truthy', "{{ pillar.users|selectattr('admin')|map(attribute='name')|join(',') }}", 'alice'],
  ['rejectattr equalto', "{{ pillar.users|rejectattr('name', 'equalto', 'alice')|map(attribute='name')|join }}", 'bob'],
  ['select/reject', '{{ [1, 2, 3, 4]|select("odd")|list }}{{ [1, 2, 3]|reject("odd")|list }}', '[1, 3][2]'],
  ['regex_replace with groups', "{{ 'abc-123'|regex_replace('(\\d+)', 'N\\1') }}", 'abc-N123'],
  [
    'regex_replace named group, ignorecase kwarg',
    "{{ 'ABC'|regex_replace('(?P<x>b)', '<\\g<x>>', ignorecase=True) }}",
    'A<B>C',
  ],
  ['regex_search returns groups', "{{ 'key=value'|regex_search('(\\w+)=(\\w+)') }}", "('key', 'value')"],
  ['regex_search no match is None', "{{ 'x'|regex_search('y') }}", 'None'],
  ['regex_match anchors at start', "{{ 'abc'|regex_match('b(c)') }}|{{ 'abc'|regex_match('a(b)') }}", "None|('b',)"],
  ['is_list', "{{ [1]|is_list }}{{ 'x'|is_list }}", 'TrueFalse'],
  ['quote', "{{ 'a b'|quote }}|{{ 'plain'|quote }}|{{ \"it's\"|quote }}", "'a b'|plain|'it'\"'\"'s'"],
  [
    'dictsort',
    "{{ {'b': 1, 'a': 2}|dictsort }}|{{ {'b': 1, 'a': 2}|dictsort(by='value', reverse=true) }}",
    "[('a', 2), ('b', 1)]|[('a', 2), ('b', 1)]",
  ],
  [
    'sort kwargs',
    "{{ [3, 1, 2]|sort }}{{ [3, 1, 2]|sort(reverse=True) }}{{ pillar.users|sort(attribute='uid', " +
      "reverse=True)|map(attribute='name')|first }}",
    '[1, 2, 3][3, 2, 1]bob',
  ],
  ['join with attribute', "{{ pillar.users|join(', ', attribute='name') }}|{{ [1, 2]|join }}", 'alice, bob|12'],
  ['list of dict gives keys', "{{ {'a': 1, 'b': 2}|list }}", "['a', 'b']"],
  ['string of list', '{{ [1, None]|string }}', '[1, None]'],
  ['b64encode/b64decode', "{{ 'hello'|b64encode }}|{{ 'aGVsbG8='|b64decode }}", 'aGVsbG8=|hello'],
  [
    'md5/sha256',
    "{{ 'x'|md5 }}|{{ 'x'|sha256 }}",
    '9dd4e461268c8034f5c8564e155c67a6|2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
  ],
  ['path_join', "{{ '/etc'|path_join('nginx', 'x.conf') }}", '/etc/nginx/x.conf'],
  ['format filter', "{{ '%s:%d'|format('h', 80) }}", 'h:80'],
  ['replace filter with count kwarg', "{{ 'aaa'|replace('a', 'b', count=2) }}", 'bba'],
  ['int/float', "{{ '42'|int + 1 }}|{{ 'x'|int }}|{{ '1.5'|float }}", '43|0|1.5'],
  ['min/max', '{{ [3, 1, 2]|min }}{{ [3, 1, 2]|max }}', '13'],
  ['items filter', "{% for k, v in {'a': 1}|items %}{{ k }}{{ v }}{% endfor %}", 'a1'],
  ['to_bool', "{{ 'yes'|to_bool }}{{ 'no'|to_bool }}{{ 1|to_bool }}", 'TrueFalseTrue'],
  [
    'length/count/first/last',
    '{{ pillar.pkgs|length }}{{ pillar.pkgs|count }}{{ pillar.pkgs|first }}{{ pillar.pkgs|last }}',
    '22nginxcurl',
  ],
  [
    'groupby',
    "{% for g in pillar.users|groupby('admin') %}{{ g.grouper }}:{{ g.list|map(attribute='name')|join }};{% endfor %}",
    'False:bob;True:alice;',
  ],
];

describe('render: filters', () => {
  it.each(cases)('%s', (_name, tpl, expected) => {
    expect(r.renderString(tpl, 'f.sls')).toBe(expected);
  });
});
