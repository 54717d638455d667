// Top file: readTop parses the base env with lines; matchTop selects SLS per matcher.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../../engine/errors.js';
import { Renderer } from '../../../engine/render/index.js';
import { matchTop, readTop, type TopFile } from '../../../engine/top/index.js';

const PILLAR = {
  appliance: { enabled: true, domain: 'ecs.example.org', roles: ['web', 'db'], extra: { a: 1 } },
  standby: false,
  tier: 3,
};
const GRAINS = { os: 'Debian', os_family: 'Debian', osrelease: '12', roles: ['cache'], virtual: 'kvm' };

function topOf(text: string, pillar: Record<string, unknown> = PILLAR): TopFile {
  const dir = mkdtempSync(join(tmpdir(), 'brine-top-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'top.sls'), text);
  return readTop(dir, new Renderer({ statesDir: dir, pillar, grains: GRAINS, minionId: 'web1' }));
}

function match(
  text: string,
  minionId = 'web1.example.org',
  pillar = PILLAR,
  grains: Record<string, unknown> = GRAINS,
): string[] {
  return matchTop(topOf(text, pillar), { minionId, pillar, grains });
}

const entry = (target: string, match: string, sls = 'x') =>
  `base:\n  '${target}':\n    - match: ${match}\n    - ${sls}\n`;

describe('readTop', () => {
  it('parses base entries with matcher and line; other envs ignored with a warning', () => {
    const top = topOf(
      [
        'base:',
        "  '*':",
        '    - common',
        "  'appliance:enabled:true':",
        '    - match: pillar',
        '    - appliance',
        'dev:',
        "  '*':",
        '    - devtools',
      ].join('\n'),
    );
    expect(top.entries).toEqual([
      { target: '*', match: 'glob', sls: ['common'], loc: { file: 'top.sls', line: 2 } },
      { target: 'appliance:enabled:true', match: 'pillar', sls: ['appliance'], loc: { file: 'top.sls', line: 4 } },
    ]);
    expect(top.warnings).toEqual(["top.sls:7: environment 'dev' ignored (brine uses only 'base')"]);
  });

  it('is rendered as a template with pillar and grains', () => {
    const top = topOf(
      "base:\n  '*':\n{% if pillar.appliance.enabled %}\n    - appliance\n{% endif %}\n    - {{ grains.os|lower }}\n",
    );
    expect(top.entries[0]!.sls).toEqual(['appliance', 'debian']);
  });

  it('an empty base is no entries', () => {
    expect(topOf('base: {}\n').entries).toEqual([]);
    expect(topOf('').entries).toEqual([]);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['unknown matcher', entry('*', 'nodegroup'), /^top.sls:3: target '\*': unknown matcher 'nodegroup'/],
    [
      'target without a list',
      "base:\n  '*': common\n",
      /^top.sls:2: target '\*' must be followed by a list of SLS names/,
    ],
    ['base not a map', 'base:\n  - common\n', /^top.sls:1: 'base' must map targets/],
    [
      'unsupported option',
      "base:\n  '*':\n    - ignore_missing: true\n",
      /^top.sls:3: target '\*': unsupported option 'ignore_missing'/,
    ],
    ['invalid YAML', "base:\n  '*':\n    - [common\n", /^top.sls:\d: invalid YAML/],
  ];
  it.each(bad)('error: %s', (_n, text, msg) => {
    let err: unknown;
    try {
      topOf(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RenderError);
    expect((err as Error).message).toMatch(msg);
  });

  it('a missing top.sls is a RenderError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brine-top-'));
    expect(() => readTop(dir, new Renderer({ statesDir: dir, pillar: {}, grains: {} }))).toThrow(RenderError);
  });
});

describe('matchTop: per matcher', () => {
  const cases: Array<[string, string, string, boolean]> = [
    // [name, target, match, expected for minion web1.example.org with PILLAR/GRAINS]
    ['glob *', '*', 'glob', true],
    ['glob prefix', 'web*', 'glob', true],
    ['glob miss', 'db*', 'glob', false],
    ['glob ? and [..]', 'web[0-9].example.or?', 'glob', true],
    ['glob [!..]', 'web[!1]*', 'glob', false],
    ['pillar bool true', 'appliance:enabled:true', 'pillar', true],
    ['pillar bool case-insensitive', 'appliance:enabled:True', 'pillar', true],
    ['pillar bool false', 'standby:true', 'pillar', false],
    ['pillar glob in value', 'appliance:domain:*.example.org', 'pillar', true],
    ['pillar value miss', 'appliance:domain:other.org', 'pillar', false],
    ['pillar list element', 'appliance:roles:db', 'pillar', true],
    ['pillar dict key', 'appliance:extra:a', 'pillar', true],
    ['pillar number', 'tier:3', 'pillar', true],
    ['pillar missing key', 'nope:x', 'pillar', false],
    ['pillar without value', 'appliance', 'pillar', false],
    ['grain', 'os:Debian', 'grain', true],
    ['grain glob', 'osrelease:1*', 'grain', true],
    ['grain list', 'roles:cache', 'grain', true],
    ['grain miss', 'os:RedHat', 'grain', false],
    ['grain_pcre', 'os:Deb.*', 'grain_pcre', true],
    ['pillar_pcre', 'appliance:domain:ecs\\..*', 'pillar_pcre', true],
    ['list hit', 'db1,web1.example.org', 'list', true],
    ['list miss', 'db1,web2', 'list', false],
    ['pcre', 'web\\d+\\.example', 'pcre', true],
    ['pcre anchored at start', 'example', 'pcre', false],
    ['compound G@ and I@', 'G@os:Debian and I@appliance:enabled:true', 'compound', true],
    ['compound or', 'G@os:RedHat or web*', 'compound', true],
    ['compound not', 'not G@os:Debian', 'compound', false],
    ['compound and not', 'web* and not I@standby:true', 'compound', true],
    ['compound precedence (and binds tighter)', 'db* and G@os:RedHat or web*', 'compound', true],
    ['compound parens', 'web* and ( G@os:RedHat or I@tier:4 )', 'compound', false],
    ['compound parens without spaces', '(db* or web*) and G@virtual:kvm', 'compound', true],
    ['compound L@', 'L@a,web1.example.org and G@os:Debian', 'compound', true],
    ['compound E@', 'E@^web\\d', 'compound', true],
    ['compound P@ (grain pcre)', 'P@os:D.*n', 'compound', true],
    ['compound J@ (pillar pcre)', 'J@appliance:domain:.*org$', 'compound', true],
  ];
  it.each(cases)('%s', (_n, target, m, expected) => {
    expect(match(entry(target, m))).toEqual(expected ? ['x'] : []);
  });

  it('compound syntax errors are RenderErrors at the entry line', () => {
    expect(() => match(entry('web* and', 'compound'))).toThrow(
      /^top.sls:2: target 'web\* and': compound expression 'web\* and' ends early/,
    );
    expect(() => match(entry('Q@x', 'compound'))).toThrow(/unsupported matcher 'Q@'/);
  });
});

describe('matchTop: order and dedup', () => {
  it('returns SLS in top-file order, each once', () => {
    const text = [
      'base:',
      "  '*':",
      '    - common',
      '    - ssh',
      "  'web*':",
      '    - nginx',
      '    - common',
      "  'os:Debian':",
      '    - match: grain',
      '    - apt',
      '    - ssh',
    ].join('\n');
    expect(match(text)).toEqual(['common', 'ssh', 'nginx', 'apt']);
    expect(match(text, 'db1')).toEqual(['common', 'ssh', 'apt']);
  });

  it('the appliance top file selects the appliance by pillar', () => {
    const text = "base:\n  '*':\n    - common\n  'appliance:enabled:true':\n    - match: pillar\n    - appliance\n";
    expect(match(text)).toEqual(['common', 'appliance']);
    expect(match(text, 'x', { ...PILLAR, appliance: { ...PILLAR.appliance, enabled: false } })).toEqual(['common']);
  });
});
