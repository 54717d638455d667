// loadSls: Salt's SLS format -> HighData with file:line for every declaration and argument.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompileError, RenderError } from '../../../engine/errors.js';
import type { HighData } from '../../../engine/highdata.js';
import { loadSls } from '../../../engine/load/index.js';
import { renderedParses } from '../../../engine/load/parsed-sls.js';
import { Renderer } from '../../../engine/render/index.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'brine-load-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

function load(files: Record<string, string>, names: string[], pillar: Record<string, unknown> = {}): HighData {
  const statesDir = tree(files);
  const renderer = new Renderer({ statesDir, pillar, grains: { os_family: 'Debian' }, minionId: 'm1' });
  return loadSls(names, { statesDir, renderer });
}

function brief(h: HighData) {
  return h.states.map((s) => `${s.sls}:${s.id}:${s.module}.${s.fun}@${s.loc.file}:${s.loc.line}`);
}

describe('loadSls: formats', () => {
  const h = load(
    {
      'web/init.sls': [
        'nginx:', //                                    1
        '  pkg.installed: []', //                        2
        '  service.running:', //                         3
        '    - enable: True', //                         4
        '    - watch:', //                               5
        '      - file: /etc/nginx/nginx.conf', //        6
        '/etc/nginx/nginx.conf:', //                     7
        '  file:', //                                    8
        '    - managed', //                              9
        '    - source: salt://web/nginx.conf', //        10
        '    - mode: 0644', //                           11
        'curl: pkg.installed', //                        12
        'tools:', //                                     13
        '  pkg.installed:', //                           14
        '    - names:', //                               15
        '      - git', //                                16
        '      - jq', //                                 17
        '    - order: 1', //                             18
        'flags:', //                                     19
        '  test.nop:', //                                20
        '    - a: yes', //                               21
        '    - b: off', //                               22
        '    - port: 8080:80', //                        23
      ].join('\n'),
    },
    ['web'],
  );

  it('declarations with module.function, module: [function], ID: module.function, several modules', () => {
    expect(brief(h)).toEqual([
      'web:nginx:pkg.installed@web/init.sls:2',
      'web:nginx:service.running@web/init.sls:3',
      'web:/etc/nginx/nginx.conf:file.managed@web/init.sls:8',
      'web:curl:pkg.installed@web/init.sls:12',
      'web:tools:pkg.installed@web/init.sls:14',
      'web:flags:test.nop@web/init.sls:20',
    ]);
  });

  it('arguments in order with their lines; names kept as an argument', () => {
    const svc = h.states[1]!;
    expect(svc.args.map((a) => [a.key, a.value, a.loc.line])).toEqual([
      ['enable', true, 4],
      ['watch', [{ file: '/etc/nginx/nginx.conf' }], 5],
    ]);
    const tools = h.states[4]!;
    expect(tools.args.map((a) => [a.key, a.value, a.loc.line])).toEqual([
      ['names', ['git', 'jq'], 15],
      ['order', 1, 18],
    ]);
  });

  it('YAML like Salt: mode 0644 stays 644, yes/off are booleans, 8080:80 is a string', () => {
    expect(h.states[2]!.args.find((a) => a.key === 'mode')!.value).toBe(644);
    expect(h.states[5]!.args.map((a) => a.value)).toEqual([true, false, '8080:80']);
  });

  it('records the loaded SLS names', () => {
    expect(h.sls).toEqual(['web']);
  });
});

describe('loadSls: includes', () => {
  const files = {
    'top.sls': "base: {'*': [app]}",
    'app/init.sls': 'include:\n  - .db\n  - common\n  - app.web\n\napp-state:\n  test.nop: []\n',
    'app/db.sls': 'include:\n  - ..common\n  - app\n\ndb-state:\n  test.nop: []\n',
    'app/web.sls': 'include:\n  - .db\n\nweb-state:\n  test.nop: []\n',
    'common.sls': 'common-state:\n  test.nop: []\n',
  };

  it('included SLS first, each once, relative .x and ..x, cycles are fine', () => {
    const h = load(files, ['app']);
    expect(h.sls).toEqual(['common', 'app.db', 'app.web', 'app']);
    expect(h.states.map((s) => `${s.id}@${s.loc.file}:${s.loc.line}`)).toEqual([
      'common-state@common.sls:2',
      'db-state@app/db.sls:6',
      'web-state@app/web.sls:5',
      'app-state@app/init.sls:7',
    ]);
  });

  it('loading the same SLS twice (by name and include) loads it once', () => {
    const h = load(files, ['common', 'app', 'common']);
    expect(h.states.filter((s) => s.id === 'common-state')).toHaveLength(1);
  });

  it('a missing include is a RenderError at the include line', () => {
    expect(() => load({ 'a.sls': 'include:\n  - common\n  - nope.x\n', 'common.sls': '' }, ['a'])).toThrow(
      new RenderError(
        'a.sls',
        3,
        "include: SLS 'nope.x' not found (no nope/x.sls or nope/x/init.sls in the states dir)",
      ),
    );
  });

  it('a relative include beyond the top is an error', () => {
    expect(() => load({ 'a.sls': 'include:\n  - ..x\n' }, ['a'])).toThrow(
      /a.sls:2: include: relative include '..x' goes beyond the top/,
    );
  });

  it('a missing SLS name is a RenderError', () => {
    expect(() => load({}, ['nope'])).toThrow(/SLS 'nope' not found/);
  });
});

describe('loadSls: line numbers through templates', () => {
  it('maps rendered lines back to the source when tags vanish and loops repeat lines', () => {
    const h = load(
      {
        'pk.sls': [
          "{% set pkgs = ['a', 'b', 'c'] %}", //       1
          '{% if pillar.get("on", True) %}', //         2
          '{% for p in pkgs %}', //                     3
          'pkg-{{ p }}:', //                            4
          '  pkg.installed:', //                        5
          '    - name: {{ p }}', //                     6
          '{% endfor %}', //                            7
          '{% endif %}', //                             8
          '', //                                        9
          'last:', //                                  10
          '  test.nop:', //                            11
          '    - text: {{ "x" }}', //                  12
        ].join('\n'),
      },
      ['pk'],
    );
    expect(h.states.map((s) => `${s.id}:${s.loc.line}:${s.args[0]!.loc.line}`)).toEqual([
      'pkg-a:5:6',
      'pkg-b:5:6',
      'pkg-c:5:6',
      'last:11:12',
    ]);
  });

  it('blank lines eaten by {%- do not shift the lines after them (a formula pattern)', () => {
    const sls =
      'a:\n  cmd.run:\n    - name: echo a\n\n\n{%- for x in [1, 2] %}\nb{{ x }}:\n  cmd.run:\n    - name: echo {{ x ' +
      '}}\n{% endfor %}\n';
    const h = load({ 't.sls': sls }, ['t']);
    expect(h.states.map((s) => `${s.id}:${s.loc.line}:${s.args[0]!.loc.line}`)).toEqual(['a:2:3', 'b1:8:9', 'b2:8:9']);
  });

  it('a YAML error is reported at the source line', () => {
    const src = ['{% set x = 1 %}', '{% set y = 2 %}', 'a:', '  test.nop:', '    - x: [1', 'b: c'].join('\n');
    let err: unknown;
    try {
      load({ 'bad.sls': src }, ['bad']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RenderError);
    expect((err as RenderError).file).toBe('bad.sls');
    expect((err as RenderError).line).toBeGreaterThanOrEqual(5);
    expect((err as RenderError).line).toBeLessThanOrEqual(6);
  });

  it('a template error in an included SLS names that file and line', () => {
    expect(() =>
      load({ 'a.sls': 'include:\n  - b\n', 'b.sls': 'x:\n  test.nop:\n    - v: {{ pillar.nope.deeper }}\n' }, ['a']),
    ).toThrow(/^b.sls:3: cannot read 'deeper' of an undefined value/);
  });

  it('#!yaml files are not templated; other renderers are refused', () => {
    const h = load({ 'raw.sls': '#!yaml\nr:\n  test.nop:\n    - t: "{{ not rendered }}"\n' }, ['raw']);
    expect(h.states[0]!.args[0]!.value).toBe('{{ not rendered }}');
    expect(() => load({ 'py.sls': '#!py\ndef run(): pass\n' }, ['py'])).toThrow(
      /py.sls:1: renderer 'py' is not supported/,
    );
  });
});

describe('loadSls: extend and exclude', () => {
  it('extend and exclude blocks with locations', () => {
    const h = load(
      {
        'a.sls':
          'include:\n  - b\nextend:\n  svc:\n    service:\n      - watch:\n        - file: f\nexclude:\n  - sls: ' +
          'c\n  - id: other\n',
        'b.sls': 'svc:\n  service.running: []\n',
      },
      ['a'],
    );
    expect(h.extend).toEqual([
      {
        id: 'svc',
        sls: 'a',
        module: 'service',
        fun: '',
        args: [{ key: 'watch', value: [{ file: 'f' }], loc: { file: 'a.sls', line: 6 } }],
        loc: { file: 'a.sls', line: 5 },
      },
    ]);
    expect(h.exclude).toEqual([
      { sls: 'c', loc: { file: 'a.sls', line: 9 } },
      { id: 'other', loc: { file: 'a.sls', line: 10 } },
    ]);
  });
});

describe('loadSls: an argument item with several keys', () => {
  it('gives each key as an argument, as Salt does (`- context:` with a sibling key below it)', () => {
    const h = load({ 'a.sls': 'x:\n  file.managed:\n    - context:\n      app: {a: 1}\n    - mode: 644\n' }, ['a']);
    expect(h.states[0]!.args).toEqual([
      { key: 'context', value: null, loc: { file: 'a.sls', line: 3 } },
      { key: 'app', value: { a: 1 }, loc: { file: 'a.sls', line: 4 } },
      { key: 'mode', value: 644, loc: { file: 'a.sls', line: 5 } },
    ]);
  });
});

describe('loadSls: validation errors name file:line', () => {
  const cases: Array<[string, Record<string, string>, string[], unknown, RegExp]> = [
    [
      'duplicate ID across files',
      { 'a.sls': 'include: [b]\nsame:\n  test.nop: []\n', 'b.sls': 'same:\n  test.nop: []\n' },
      ['a'],
      CompileError,
      /^a.sls:3: ID 'same' is already declared at b.sls:2/,
    ],
    [
      'duplicate ID in one file',
      { 'a.sls': 'x:\n  test.nop: []\nx:\n  test.nop: []\n' },
      ['a'],
      RenderError,
      /^a.sls:3: found conflicting ID 'x': a key given twice in one mapping \(Salt's YAML loader refuses it too\)$/,
    ],
    [
      'ID whose value is not a map',
      { 'a.sls': 'ok:\n  test.nop: []\nbad: 5\n' },
      ['a'],
      CompileError,
      /^a.sls:3: ID 'bad' must map to state declarations/,
    ],
    [
      'two functions of one module',
      { 'a.sls': 'x:\n  pkg.installed: []\n  pkg.removed: []\n' },
      ['a'],
      CompileError,
      /^a.sls:3: ID 'x': two functions of module 'pkg'/,
    ],
    [
      'two function names in the list form',
      { 'a.sls': 'x:\n  pkg:\n    - installed\n    - removed\n' },
      ['a'],
      CompileError,
      /^a.sls:4: ID 'x': 'pkg' names a second function 'removed'/,
    ],
    [
      'argument list that is a map',
      { 'a.sls': 'x:\n  file.managed:\n    name: /tmp/x\n' },
      ['a'],
      CompileError,
      /^a.sls:2: ID 'x': 'file.managed' must be followed by a list of arguments/,
    ],
    [
      'requisite item with another key',
      { 'a.sls': 'x:\n  file.managed:\n    - require:\n      - y\n      mode: 644\n' },
      ['a'],
      CompileError,
      /^a.sls:3: ID 'x': a requisite item 'require' holds other keys too \(mode\)/,
    ],
    [
      'empty argument item',
      { 'a.sls': 'x:\n  file.managed:\n    - {}\n' },
      ['a'],
      CompileError,
      /^a.sls:3: ID 'x': 'file.managed' arguments must be single-key mappings/,
    ],
    [
      'module without function',
      { 'a.sls': 'x:\n  pkg:\n    - name: vim\n' },
      ['a'],
      CompileError,
      /^a.sls:2: ID 'x': no function given for module 'pkg'/,
    ],
    [
      'bad declaration key',
      { 'a.sls': 'x:\n  "not a module": []\n' },
      ['a'],
      CompileError,
      /^a.sls:2: ID 'x': 'not a module' is not a state declaration/,
    ],
    ['top level not a map', { 'a.sls': '- a\n- b\n' }, ['a'], RenderError, /^a.sls:1: an SLS file must be a mapping/],
    ['include not a list', { 'a.sls': 'include: b\n' }, ['a'], CompileError, /^a.sls:1: 'include' must be a list/],
    [
      'bad exclude entry',
      { 'a.sls': 'exclude:\n  - foo: x\n' },
      ['a'],
      CompileError,
      /^a.sls:2: 'exclude' entries must be/,
    ],
  ];
  it.each(cases)('%s', (_n, files, names, cls, msg) => {
    let err: unknown;
    try {
      load(files, names);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls as new (...a: never[]) => Error);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).not.toContain('\n');
  });

  it('an empty SLS file declares nothing', () => {
    expect(load({ 'e.sls': '# only a comment\n' }, ['e']).states).toEqual([]);
  });
});

describe('loadSls: a fleet', () => {
  it("parses a rendered text once for every host that renders it, each host's data its own", () => {
    const statesDir = tree({
      'app.sls': [
        '{% set port = pillar.get("port", 80) %}',
        'app-conf:',
        '  file.managed:',
        '    - name: /etc/app.conf',
        '    - contents: "port {{ port }}"',
        '    - context: {a: [1, 2]}',
        '',
      ].join('\n'),
    });
    const loadFor = (pillar: Record<string, unknown>, id: string) =>
      loadSls(['app'], {
        statesDir,
        renderer: new Renderer({ statesDir, pillar, grains: {}, minionId: id }),
      });
    const before = renderedParses();
    const hosts = ['h1', 'h2', 'h3'].map((id) => loadFor({ port: 80 }, id));
    expect(renderedParses() - before).toBe(1);
    expect(hosts.map((h) => h.states[0]!.args)).toEqual([
      hosts[0]!.states[0]!.args,
      ...hosts.slice(1).map(() => hosts[0]!.states[0]!.args),
    ]);
    // one host's data changed by the compiler leaves the others' alone
    const ctx = hosts[0]!.states[0]!.args.find((a) => a.key === 'context')!.value as { a: number[] };
    ctx.a.push(3);
    const other = hosts[1]!.states[0]!.args.find((a) => a.key === 'context')!.value as { a: number[] };
    expect(other.a).toEqual([1, 2]);
    expect(hosts[1]!.states[0]!.loc).toEqual({ file: 'app.sls', line: 3 });
    // another rendered text (another pillar) is parsed on its own
    const h4 = loadFor({ port: 8080 }, 'h4');
    expect(renderedParses() - before).toBe(2);
    expect(h4.states[0]!.args.find((a) => a.key === 'contents')!.value).toBe('port 8080');
  });
});
