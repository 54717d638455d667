// Jinja/Salt compatibility: each item renders exactly what Salt's Jinja renders.
import { describe, expect, it } from 'vitest';
import { renderer } from './fixture.js';

const r = renderer({
  'map.jinja':
    "{% set conf = {'port': salt['pillar.get']('appliance:ports')[0]} %}{% macro greet(n, punct='!') %}hi {{ n }}{{ " +
    'punct }}{% endmacro %}',
  'sub/data.yml': 'domain: {{ pillar.appliance.domain }}\nlist: [1, 2]\n',
  'sub/data.json': '{"a": [1, 2], "b": "{{ grains.os }}"}',
  'sub/rel.jinja': "{% from './sibling.jinja' import s %}{{ s }}",
  'sub/sibling.jinja': "{% set s = 'sibling' %}",
  'inc.txt': 'included {{ grains.id }}',
  'ctx.jinja': "{% set where = sls ~ '@' ~ tpldir %}",
});

const cases: Array<[string, string, string]> = [
  // salt[] functions with nested keys, defaults and keyword arguments
  ['pillar.get nested', "{{ salt['pillar.get']('appliance:domain') }}", 'ecs.example.org'],
  ['pillar.get default kwarg', "{{ salt['pillar.get']('nope:x', default='dflt') }}", 'dflt'],
  ['pillar.get positional default', "{{ salt['pillar.get']('nope', 'd2') }}", 'd2'],
  ['pillar.get missing -> empty string', "[{{ salt['pillar.get']('nope') }}]", '[]'],
  ['pillar.get list index', "{{ salt['pillar.get']('appliance:ports:1') }}", '443'],
  ['pillar.get delimiter kwarg', "{{ salt['pillar.get']('appliance/domain', delimiter='/') }}", 'ecs.example.org'],
  ['pillar.get existing None', "{{ salt['pillar.get']('appliance:none', 'x') }}", 'None'],
  [
    'pillar.get merge',
    "{{ salt['pillar.get']('appliance:flags', {'a': false, 'b': 1}, merge=True) }}",
    "{'a': True, 'b': 1}",
  ],
  ['grains.get', "{{ salt['grains.get']('os_family') }}-{{ salt['grains.get']('ipv4:1') }}", 'Debian-10.0.0.5'],
  [
    'config.get falls back to pillar',
    "{{ salt['config.get']('appliance:domain') }}|{{ salt['config.get']('id') }}",
    'ecs.example.org|web1',
  ],
  [
    'grains.filter_by',
    "{{ salt['grains.filter_by']({'Debian': {'pkg': 'apt'}, 'RedHat': {'pkg': 'yum'}}).pkg }}",
    'apt',
  ],
  ['grains.filter_by default', "{{ salt['grains.filter_by']({'Arch': 1, 'default': 'dd'}) }}", 'dd'],
  ['opts', '{{ opts.id }}', 'web1'],
  [
    'salt.module.function attribute sugar',
    "{{ salt.pillar.get('appliance:domain') }}|{{ salt.grains.get('os') }}",
    'ecs.example.org|Debian',
  ],
  [
    'context is global: an import without context sees sls/tpldir',
    "{% import 'ctx.jinja' as c %}{{ c.where }}",
    'app.web@app/web',
  ],
  // constants and printing like Python
  ['None/True/False', '{{ None }} {{ True }} {{ False }} {{ none }} {{ true }}', 'None True False None True'],
  ['lists print as Python literals', '{{ pillar.pkgs }}', "['nginx', 'curl']"],
  ['dicts print as Python literals', "{{ {'a': 1, 'b': [True, None]} }}", "{'a': 1, 'b': [True, None]}"],
  ['nested dict literal closes braces', "{{ {'a': {'b': 1}} }}", "{'a': {'b': 1}}"],
  ['repr quotes', `{{ ["it's", 'x'] }}`, `["it's", 'x']`],
  // Python methods, real keys win
  ['dict.items()', "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", 'a=1;b=2;'],
  ['dict.keys()/values()', '{{ pillar.appliance.flags.keys() }}{{ pillar.appliance.flags.values() }}', "['a'][True]"],
  [
    'dict.get with default',
    "{{ pillar.appliance.get('missing', 'd') }}|{{ pillar.appliance.get('domain') }}|{{ pillar.appliance.get('zz') }}",
    'd|ecs.example.org|None',
  ],
  ['pillar key named items wins', '{{ pillar.items }}', 'a pillar key named items'],
  ['pillar key named keys wins', '{{ pillar.keys|join(",") }}', 'k1,k2'],
  ['pillar key named get wins', '{{ pillar.get }}', 'g'],
  ['pillar key named values wins', '{{ pillar["values"].v }}', '1'],
  [
    'dict.update',
    "{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{% do d.update(c=3) %}{{ d }}",
    "{'a': 1, 'b': 2, 'c': 3}",
  ],
  [
    'dict.setdefault/pop',
    "{% set d = {} %}{% do d.setdefault('x', []).append(1) %}{{ d }}{{ d.pop('x') }}{{ d }}",
    "{'x': [1]}[1]{}",
  ],
  ['list.append', '{% set l = [] %}{% do l.append(1) %}{% do l.append("b") %}{{ l }}', "[1, 'b']"],
  [
    'list.extend/insert/index',
    '{% set l = [1] %}{% do l.extend([3]) %}{% do l.insert(1, 2) %}{{ l }}{{ l.index(3) }}',
    '[1, 2, 3]2',
  ],
  ['str.split()', "{{ ' a  b\tc '.split() }}", "['a', 'b', 'c']"],
  ['str.split(sep, max)', "{{ 'a,b,c'.split(',', 1) }}", "['a', 'b,c']"],
  ['str.rsplit', "{{ 'a.b.c'.rsplit('.', 1) }}", "['a.b', 'c']"],
  [
    'str.strip/lstrip/rstrip',
    "[{{ '  x '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  y'.lstrip() }}|{{ 'z\\n'.rstrip() }}]",
    '[x|a|y|z]',
  ],
  ['str.startswith/endswith', "{{ 'foobar'.startswith('foo') }}{{ 'foobar'.endswith(('x', 'bar')) }}", 'TrueTrue'],
  ['str.upper/lower/title', "{{ 'aB'.upper() }}{{ 'aB'.lower() }}{{ 'hello world'.title() }}", 'ABabHello World'],
  ['str.replace replaces all', "{{ 'a-b-c'.replace('-', '_') }}|{{ 'a-b-c'.replace('-', '_', 1) }}", 'a_b_c|a_b-c'],
  [
    'str.format',
    "{{ '{}-{}'.format('a', 1) }}|{{ '{0}{0}'.format('x') }}|{{ '{name}:{port:>5}'.format(name='h', port=80) }}",
    'a-1|xx|h:   80',
  ],
  ['str.join', "{{ ', '.join(pillar.pkgs) }}", 'nginx, curl'],
  // operators
  ["'%s' % x", "{{ '%s' % grains.os }}", 'Debian'],
  ["'%s-%s' % (a, b)", "{{ '%s-%s' % ('a', 5) }}", 'a-5'],
  ['%d and %05.1f', "{{ '%03d|%05.1f|%x|%%' % (7, 3.14159, 255) }}", '007|003.1|ff|%'],
  ['%(name)s', "{{ '%(a)s+%(b)s' % {'a': 1, 'b': 2} }}", '1+2'],
  ['numeric %', '{{ 7 % 3 }} {{ -7 % 3 }}', '1 2'],
  ['list + list', '{{ pillar.pkgs + ["vim"] }}', "['nginx', 'curl', 'vim']"],
  ["'-' * 3", "{{ '-' * 3 }}", '---'],
  ['~ stringifies like Python', "{{ 'v' ~ None ~ True ~ [1] }}", 'vNoneTrue[1]'],
  ['== compares structures', '{{ [1, 2] == [1, 2] }} {{ {"a": 1} == {"a": 1} }} {{ 1 == "1" }}', 'True True False'],
  ['empty list is false', '{% if pillar.appliance.empty %}yes{% else %}no{% endif %}', 'no'],
  ['empty dict is false', '{% if {} %}yes{% else %}no{% endif %}', 'no'],
  ['not []', '{{ not [] }}', 'True'],
  ['or returns operand', "{{ pillar.appliance.empty or 'fallback' }}|{{ 0 or '' or 'z' }}", 'fallback|z'],
  ['and returns operand', "{{ 'a' and 'b' }}|{{ [] and 'b' }}", 'b|[]'],
  ['inline if with empty list', "{{ 'y' if [] else 'n' }}", 'n'],
  [
    "'in' operator",
    "{{ 'curl' in pillar.pkgs }} {{ 'domain' in pillar.appliance }} {{ 'eb' in 'web' }}",
    'True True True',
  ],
  [
    'is sameas true (arg without parens)',
    '{{ pillar.appliance.enabled is sameas true }}|{{ 1 is sameas true }}',
    'True|False',
  ],
  ['is divisibleby 3', '{{ 9 is divisibleby 3 }}', 'True'],
  [
    'is none / is defined / is mapping',
    '{{ pillar.appliance.none is none }}{{ nope is defined }}{{ pillar.appliance is mapping }}',
    'TrueFalseTrue',
  ],
  // statements
  [
    'for ... if filters before loop.index',
    '{% for u in pillar.users if u.admin %}{{ loop.index }}/{{ loop.length }}:{{ u.name }}{% endfor %}',
    '1/1:alice',
  ],
  [
    'for k, v ... if',
    "{% for k, v in {'a': 1, 'b': 0, 'c': 2}.items() if v %}{{ loop.index }}{{ k }}{% endfor %}",
    '1a2c',
  ],
  ['for ... if ... else', '{% for x in [1, 2] if x > 5 %}{{ x }}{% else %}none{% endfor %}', 'none'],
  ['for over a bare tuple', '{% for i in ".a", ".b" %}{{ i }};{% endfor %}', '.a;.b;'],
  [
    'for with parenthesized targets',
    "{% for (n, o) in [('a', 'b'), ('c', 'd')] %}{{ n }}{{ o }};{% endfor %}{% for (x) in [1] %}{{ x }}{% endfor %}",
    'ab;cd;1',
  ],
  ['for over dict iterates keys', "{% for k in {'b': 1, 'a': 2} %}{{ k }}{% endfor %}", 'ba'],
  ['for over string iterates chars', "{% for c in 'ab' %}{{ c }}.{% endfor %}", 'a.b.'],
  [
    'loop.index/first/last',
    '{% for x in "abc" %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }} {% endfor %}',
    '10TrueFalse 21FalseFalse 32FalseTrue ',
  ],
  ['tuple set', '{% set a, b = 1, 2 %}{{ a }}{{ b }}', '12'],
  ['tuple set from list', "{% set host, port = 'h:80'.split(':') %}{{ host }}/{{ port }}", 'h/80'],
  ['tuple literal prints like Python', '{% set t = (1, 2) %}{{ t }}{{ t[1] }}{{ (1,) }}{{ () }}', '(1, 2)2(1,)()'],
  ["'%s' % list is one argument, a tuple spreads", "{{ '%s' % [1, 2] }}|{{ '%s' % ((1, 2),) }}", '[1, 2]|(1, 2)'],
  ['items() are tuples', "{{ {'a': 1}.items() }}", "[('a', 1)]"],
  [
    'slices',
    "{% set l = [1, 2, 3, 4] %}{{ l[1:] }}{{ l[:2] }}{{ l[::2] }}{{ l[-2:] }}{{ l[::-1] }}{{ 'hello'[1:3] }}",
    '[2, 3, 4][1, 2][1, 3][3, 4][4, 3, 2, 1]el',
  ],
  ['negative index', '{{ pillar.pkgs[-1] }}|{{ "abc"[-1] }}', 'curl|c'],
  ['x.0 attribute index', '{{ pillar.pkgs.0 }}', 'nginx'],
  ['do statement', '{% set l = [] %}{% do l.append(1) %}{{ l|length }}', '1'],
  ['import_yaml', "{% import_yaml 'sub/data.yml' as d %}{{ d.domain }}|{{ d.list }}", 'ecs.example.org|[1, 2]'],
  ['import_yaml salt://', "{% import_yaml 'salt://sub/data.yml' as d %}{{ d.list[1] }}", '2'],
  ['import_json', "{% import_json 'sub/data.json' as j %}{{ j.a }}{{ j.b }}", '[1, 2]Debian'],
  ['import_text', "{% import_text 'inc.txt' as t %}{{ t|upper }}", 'INCLUDED WEB1'],
  ['load_yaml block', '{% load_yaml as y %}\na: [1, {{ 1 + 1 }}]\n{% endload %}{{ y.a }}', '[1, 2]'],
  [
    'from import macro',
    "{% from 'map.jinja' import greet, conf %}{{ greet('bob') }}{{ greet('x', punct='?') }}{{ conf.port }}",
    'hi bob!hi x?80',
  ],
  [
    'from salt:// import with context',
    "{% from 'salt://map.jinja' import conf with context %}{{ conf }}",
    "{'port': 80}",
  ],
  ['import as', "{% import 'map.jinja' as m %}{{ m.greet('z') }}", 'hi z!'],
  ['include', "{% include 'inc.txt' %}", 'included web1'],
  [
    'include with context / ignore missing',
    "{% include 'inc.txt' with context %}|{% include 'nope.txt' ignore missing %}|",
    'included web1||',
  ],
  ['relative import inside an imported file', "{% include 'sub/rel.jinja' %}", 'sibling'],
  ['range and dict()', '{{ range(3)|list }}{{ dict(a=1) }}', "[0, 1, 2]{'a': 1}"],
  ['raw block', '{% raw %}{{ x }}{% endraw %}', '{{ x }}'],
  ['whitespace control', 'a\n{%- if true %}\nb{% endif -%}\n c', 'a\nbc'],
  ['Python string escapes keep unknown backslashes', "{{ '\\d+\\.x' }}|{{ 'a\\tb' }}", '\\d+\\.x|a\tb'],
  [
    'set inside a for loop does not leak (Jinja scoping)',
    '{% set c = 0 %}{% for x in [1, 2] %}{% set c = c + 1 %}{{ c }}{% endfor %}|{{ c }}',
    '11|0',
  ],
  ['set inside if changes the outer variable', '{% set a = 1 %}{% if true %}{% set a = 2 %}{% endif %}{{ a }}', '2'],
  [
    'namespace() carries values out of a loop',
    '{% set ns = namespace(found=false, n=0) %}{% for x in [1, 2, 3] if x > 1 %}{% set ns.found = true %}{% set ' +
      'ns.n = ns.n + x %}{% endfor %}{{ ns.found }} {{ ns.n }}',
    'True 5',
  ],
  [
    'macro locals stay local',
    '{% macro m() %}{% set a = 5 %}{{ a }}{% endmacro %}{% set a = 1 %}{{ m() }}{{ a }}',
    '51',
  ],
  [
    'break and continue (loopcontrols)',
    '{% for x in [1, 2, 3, 4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x ' +
      '}}{% endfor %}',
    '13',
  ],
  [
    'with block scopes its variables',
    '{% set a = 1 %}{% with a = 2, b = 3 %}{{ a }}{{ b }}{% endwith %}{{ a }}{{ b is defined }}',
    '231False',
  ],
  [
    'dict literal keys are expressions',
    "{% set k = 'x' %}{{ {k: 1, 'lit': 2} }}|{% set d = {} %}{% for u in pillar.users %}{% do d.update({u.name: " +
      'u.uid}) %}{% endfor %}{{ d }}',
    "{'x': 1, 'lit': 2}|{'alice': 1001, 'bob': 1002}",
  ],
  ['loop.cycle', "{% for i in [1, 2, 3] %}{{ loop.cycle('odd', 'even') }}{% endfor %}", 'oddevenodd'],
  ['sls context', '{{ sls }}|{{ slspath }}|{{ tpldir }}|{{ tplfile }}', 'app.web|app/web|app/web|app/web/init.sls'],
];

describe('render: Salt/Jinja compatibility', () => {
  it.each(cases)('%s', (_name, tpl, expected) => {
    expect(r.renderString(tpl, 'app/web/init.sls')).toBe(expected);
  });
  it("a file at the root: tpldir is '.', slspath and tplroot are empty, as in Salt", () => {
    const tpl = '{{ sls }}|{{ slspath }}|{{ tpldir }}|{{ tplroot }}|{{ tplfile }}';
    expect(r.renderString(tpl, 'mysql.sls')).toBe('mysql||.||mysql.sls');
    expect(r.renderString('{{ tpldir }}|{{ tplroot }}', 'app/map.jinja')).toBe('app|app');
  });
});
