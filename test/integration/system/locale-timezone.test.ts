// timezone.system and locale.present / locale.system on a booted Debian 12 target over SSH
// (timedatectl with systemd running, locale-gen for real), and what service/timezone states do
// on this machine, which has no systemd as PID 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { modules as service } from '../../../modules/service/index.js';
import { modules } from '../../../modules/system/index.js';
import { checkApply, plan } from '../../support/checkapply.js';
import { type Booted, bootTarget, runSls, statesTree, summary } from './target.js';

const { timezone, locale } = modules as Required<typeof modules>;
let b: Booted;
const sh = async (cmd: string) => (await b.t.ssh(cmd)).stdout.trim();

beforeAll(async () => {
  b = await bootTarget();
}, 300_000);
afterAll(async () => {
  await b?.stop();
});

describe('timezone.system', () => {
  it('sets the zone through timedatectl and /etc/timezone; the dry run predicted it; second plan empty', async () => {
    const args = { name: 'Europe/Vienna', utc: true };
    const dry = await plan(b.host, timezone.system!, args);
    expect(dry).toEqual([
      { op: 'update', kind: 'localtime', target: '/etc/localtime', before: 'Etc/UTC', after: 'Europe/Vienna' },
      { op: 'update', kind: 'timezone-file', target: '/etc/timezone', before: 'Etc/UTC', after: 'Europe/Vienna' },
    ]);
    expect(await sh('timedatectl show -p Timezone --value')).toBe('Etc/UTC');
    const r = await checkApply(b.host, timezone.system!, args);
    expect(r.planned).toEqual(dry);
    expect(r.replanned).toEqual([]);
    expect(
      await sh('timedatectl show -p Timezone --value; readlink /etc/localtime; cat /etc/timezone; date +%Z'),
    ).toMatch(/^Europe\/Vienna\n.*\/usr\/share\/zoneinfo\/Europe\/Vienna\nEurope\/Vienna\nCES?T$/);
  });

  it('keeps the hardware clock in local time when utc: False', async () => {
    const r = await checkApply(b.host, timezone.system!, { name: 'Europe/Vienna', utc: false });
    expect(r.planned).toEqual([
      { op: 'update', kind: 'hardware-clock', target: 'hardware clock', before: 'UTC', after: 'LOCAL' },
    ]);
    expect(r.replanned).toEqual([]);
    expect(await sh('tail -n 1 /etc/adjtime')).toBe('LOCAL');
  });

  it('an unknown zone fails in the plan with one line', async () => {
    await expect(plan(b.host, timezone.system!, { name: 'Mars/Olympus_Mons' })).rejects.toThrow(
      "Mars/Olympus_Mons: unknown time zone 'Mars/Olympus_Mons' (no /usr/share/zoneinfo/Mars/Olympus_Mons; is " +
        'tzdata installed?)',
    );
  });
});

describe('locale', () => {
  it('generates de_DE.UTF-8 and makes it the default, through the pipeline; second run no change', async () => {
    const tree = statesTree({
      'l10n.sls': `
de_DE.UTF-8:
  locale.present: []

default_locale:
  locale.system:
    - name: de_DE.UTF-8
    - require:
      - locale: de_DE.UTF-8
`,
    });
    try {
      const dry = await runSls(b.host, tree.dir, ['l10n'], true);
      expect(summary(dry)).toEqual([
        ['locale.present de_DE.UTF-8', null, ['update /etc/locale.gen', 'create de_DE.UTF-8']],
        ['locale.system de_DE.UTF-8', null, []],
      ]);
      expect(dry.results[1]!.comment).toBe('would change after locale: de_DE.UTF-8');
      expect(await sh('locale -a | grep -c de_DE; grep -c "^de_DE" /etc/locale.gen')).toBe('0\n0');
      const r = await runSls(b.host, tree.dir, ['l10n'], false);
      expect(summary(r)).toEqual([
        ['locale.present de_DE.UTF-8', true, ['update /etc/locale.gen', 'create de_DE.UTF-8']],
        ['locale.system de_DE.UTF-8', true, ['update /etc/default/locale']],
      ]);
      expect(r.results[0]!.changes).toEqual(dry.results[0]!.changes);
      expect(await sh('locale -a | grep de_DE; grep "^de_DE" /etc/locale.gen; grep LANG= /etc/default/locale')).toBe(
        'de_DE.utf8\nde_DE.UTF-8 UTF-8\nLANG=de_DE.UTF-8',
      );
      expect(await sh('. /etc/default/locale; LANG=$LANG date -d 2026-01-05 +%A')).toBe('Montag');
      for (const test of [true, false]) {
        const again = await runSls(b.host, tree.dir, ['l10n'], test);
        expect(again.results.map((x) => [x.result, x.changes])).toEqual([
          [true, []],
          [true, []],
        ]);
      }
    } finally {
      tree.cleanup();
    }
  }, 120_000);

  it('refuses an unknown locale and a default that is not generated, in the plan', async () => {
    await expect(plan(b.host, locale.present!, { name: 'xx_YY.UTF-8' })).rejects.toThrow(
      "xx_YY.UTF-8: unknown locale 'xx_YY.UTF-8' (not in /usr/share/i18n/SUPPORTED)",
    );
    await expect(plan(b.host, locale.system!, { name: 'fr_FR.UTF-8' })).rejects.toThrow(
      "fr_FR.UTF-8: locale 'fr_FR.UTF-8' is not generated on this host (add a locale.present state for it)",
    );
  });
});

describe('on this machine, without systemd as PID 1', () => {
  const host = new LocalHost();
  const UNIT = '/etc/systemd/system/brine-h6-offline.service';

  it('service.running plans "would start" instead of failing; the real run fails with one line', async () => {
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(UNIT, '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n');
    try {
      const running = service.service!.running!;
      expect(await plan(host, running, { name: 'brine-h6-offline' })).toEqual([
        {
          op: 'update',
          kind: 'running',
          target: 'running',
          before: 'unknown (systemd is not running)',
          after: 'active',
        },
      ]);
      await expect(checkApply(host, running, { name: 'brine-h6-offline' })).rejects.toThrow(
        'brine-h6-offline.service: cannot start brine-h6-offline.service: systemd is not running on this host',
      );
      // unit-file operations work without a running systemd
      const en = await checkApply(host, service.service!.enabled!, { name: 'brine-h6-offline' });
      expect(en.planned).toEqual([
        { op: 'update', kind: 'enabled', target: 'enabled', before: 'disabled', after: 'enabled' },
      ]);
      expect(en.replanned).toEqual([]);
      expect((await checkApply(host, service.service!.disabled!, { name: 'brine-h6-offline' })).replanned).toEqual([]);
      expect(await plan(host, service.service!.dead!, { name: 'brine-h6-offline' })).toEqual([]);
    } finally {
      rmSync(UNIT, { force: true });
    }
  });

  it('reads the time zone and locales here without changing them', async () => {
    const zone = (await host.readFile('/etc/timezone'))?.toString().trim() ?? 'Etc/UTC';
    expect(await plan(host, timezone.system!, { name: zone })).toEqual([]);
    expect(await plan(host, locale.present!, { name: 'C.UTF-8' })).toEqual([]);
  });
});
