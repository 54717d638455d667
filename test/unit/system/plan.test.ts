// timezone / locale plan as data.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../engine/compile/index.js';
import { registry } from '../../../modules/index.js';
import {
  currentLang,
  enableInLocaleGen,
  type LocaleFacts,
  normalizeLocale,
  parseLocaleFacts,
  planLocalePresent,
  planLocaleSystem,
  withLang,
} from '../../../modules/system/locale.js';
import { planTimezone, type TimezoneFacts, zoneOfLink } from '../../../modules/system/timezone.js';

describe('timezone.system', () => {
  const tz = (o: Partial<TimezoneFacts>): TimezoneFacts => ({
    systemd: false,
    zoneExists: true,
    localtime: '/usr/share/zoneinfo/Etc/UTC',
    timezoneFile: 'Etc/UTC\n',
    adjtime: null,
    ...o,
  });
  it('reads the zone from the link', () => {
    expect(zoneOfLink('../usr/share/zoneinfo/Europe/Vienna')).toBe('Europe/Vienna');
    expect(zoneOfLink(null)).toBeNull();
  });
  it('plans link, /etc/timezone and the hardware clock', () => {
    expect(planTimezone({ name: 'Etc/UTC', utc: true }, tz({}))).toEqual([]);
    expect(planTimezone({ name: 'Europe/Vienna', utc: false }, tz({}))).toEqual([
      { op: 'update', kind: 'localtime', target: '/etc/localtime', before: 'Etc/UTC', after: 'Europe/Vienna' },
      { op: 'update', kind: 'timezone-file', target: '/etc/timezone', before: 'Etc/UTC', after: 'Europe/Vienna' },
      { op: 'update', kind: 'hardware-clock', target: 'hardware clock', before: 'UTC', after: 'LOCAL' },
    ]);
    expect(planTimezone({ name: 'Etc/UTC' }, tz({ timezoneFile: null }))).toEqual([
      { op: 'create', kind: 'timezone-file', target: '/etc/timezone', after: 'Etc/UTC' },
    ]);
    expect(() => planTimezone({ name: 'Mars/Olympus' }, tz({ zoneExists: false }))).toThrow(
      /unknown time zone 'Mars\/Olympus'/,
    );
  });
});

describe('locale', () => {
  const lf = (o: Partial<LocaleFacts>): LocaleFacts => ({
    available: ['C', 'C.utf8', 'POSIX', 'en_US.utf8'],
    localeGen: '# de_DE.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n',
    supported: 'de_DE.UTF-8 UTF-8',
    tools: true,
    defaultLocale: 'LANG=en_US.UTF-8\nLANGUAGE=en_US:en\n',
    ...o,
  });
  it('normalises names like glibc', () => {
    expect(normalizeLocale('de_DE.UTF-8')).toBe('de_DE.utf8');
    expect(normalizeLocale('de_AT.ISO-8859-15@euro')).toBe('de_AT.iso885915@euro');
  });
  it('edits locale.gen', () => {
    expect(enableInLocaleGen('# de_DE.UTF-8 UTF-8\n', 'de_DE.UTF-8 UTF-8')).toBe('de_DE.UTF-8 UTF-8\n');
    expect(enableInLocaleGen('en_US.UTF-8 UTF-8\n', 'de_DE.UTF-8 UTF-8')).toBe(
      'en_US.UTF-8 UTF-8\nde_DE.UTF-8 UTF-8\n',
    );
    expect(enableInLocaleGen('de_DE.UTF-8  UTF-8\n', 'de_DE.UTF-8 UTF-8')).toBe('de_DE.UTF-8  UTF-8\n');
  });
  it('plans generation', () => {
    const c = planLocalePresent({ name: 'de_DE.UTF-8' }, lf({}));
    expect(c.map((x) => [x.op, x.kind, x.target])).toEqual([
      ['update', 'config', '/etc/locale.gen'],
      ['create', 'generate', 'de_DE.UTF-8'],
    ]);
    expect(c[0]!.diff).toContain('+de_DE.UTF-8 UTF-8');
    expect(
      planLocalePresent({ name: 'de_DE.UTF-8' }, lf({ localeGen: 'de_DE.UTF-8 UTF-8\n', available: ['de_DE.utf8'] })),
    ).toEqual([]);
    expect(planLocalePresent({ name: 'C.UTF-8' }, lf({ tools: false }))).toEqual([]);
    expect(() => planLocalePresent({ name: 'de_DE.UTF-8' }, lf({ tools: false }))).toThrow(
      /locales package is not installed/,
    );
    expect(() => planLocalePresent({ name: 'xx_YY.UTF-8' }, lf({ supported: null }))).toThrow(/unknown locale/);
  });
  it("takes SUPPORTED's line (locale and charmap) as the name, as Salt does on Debian", () => {
    expect(normalizeLocale('en_US.UTF-8 UTF-8')).toBe('en_US.utf8');
    expect(
      planLocalePresent(
        { name: 'de_DE.UTF-8 UTF-8' },
        lf({ localeGen: 'de_DE.UTF-8 UTF-8\n', available: ['de_DE.utf8'] }),
      ),
    ).toEqual([]);
    expect(planLocalePresent({ name: 'de_DE.UTF-8 UTF-8' }, lf({})).map((x) => x.op)).toEqual(['update', 'create']);
    const fn = registry.locale!.present!;
    const one = (name: string) =>
      compile(
        {
          states: [
            {
              id: 'l',
              sls: 'a',
              module: 'locale',
              fun: 'present',
              loc: { file: 'a.sls', line: 1 },
              args: [{ key: 'name', value: name, loc: { file: 'a.sls', line: 2 } }],
            },
          ],
          sls: ['a'],
          extend: [],
          exclude: [],
        },
        registry,
      );
    expect(one('en_US.UTF-8 UTF-8').chunks[0]!.fn).toBe(fn);
    expect(() => one('en_US.UTF-8; rm -rf /')).toThrow(/argument 'name' must match/);
  });
  it('plans the default', () => {
    expect(currentLang('LANG="en_US.UTF-8"\n')).toBe('en_US.UTF-8');
    expect(planLocaleSystem({ name: 'en_US.UTF-8' }, lf({}))).toEqual([]);
    expect(withLang('LANGUAGE=en_US:en\n', 'de_DE.UTF-8')).toBe('LANG=de_DE.UTF-8\nLANGUAGE=en_US:en\n');
    expect(() => planLocaleSystem({ name: 'de_DE.UTF-8' }, lf({}))).toThrow(/not generated/);
    const c = planLocaleSystem({ name: 'C.UTF-8' }, lf({}));
    expect(c[0]!.diff).toContain('+LANG=C.UTF-8');
  });
  it('parses the gather output (files with and without final newline, missing files)', () => {
    const out =
      '@@avail\nC\nC.utf8\n@@gen\n1\nen_US.UTF-8 UTF-8@@supported\nen_US.UTF-8 UTF-8\n@@tools\nyes\n@@default\n@@end\n';
    expect(parseLocaleFacts(out)).toEqual({
      available: ['C', 'C.utf8'],
      localeGen: 'en_US.UTF-8 UTF-8',
      supported: 'en_US.UTF-8 UTF-8',
      tools: true,
      defaultLocale: null,
    });
  });
});
