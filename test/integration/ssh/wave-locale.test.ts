// `brine push` of a wave of files with non-ASCII (UTF-8) names to a target whose login sessions run
// in a Latin-1 locale (LC_ALL from /etc/environment, which pam_env sets for every ssh session and
// which wins over brine's LANG): the names land byte for byte as the state tree spells them, as a
// local apply writes them, as root and through sudo.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/nspawn.js';
import { brinePush, hostResults, pushTree } from './brine-push.js';
import { startPushTarget } from './sudo-user.js';

const NAMES = ['ämter.conf', 'über uns.conf', 'naïve.conf', 'größe-日本.conf'];

describe('a wave of UTF-8 names to a Latin-1 target', () => {
  let t: Target;
  const { kh, states, pillar } = pushTree('brine-wavelocale-');
  writeFileSync(
    join(states, 'names.sls'),
    NAMES.map(
      (n) => `"/srv/names/{{ pillar['who'] }}/${n}":\n  file.managed:\n    - contents: "${n}"\n    - makedirs: True\n`,
    )
      .concat([
        `"/srv/names/{{ pillar['who'] }}/ünï dir/f.conf":\n  file.managed:\n    - contents: f\n    - makedirs: True\n`,
      ])
      .join(''),
  );

  beforeAll(async () => {
    t = await startPushTarget(kh);
    const r = await t.ssh(
      'localedef -i en_US -f ISO-8859-1 en_US.ISO-8859-1 && echo LC_ALL=en_US.ISO-8859-1 >> /etc/environment',
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await t.ssh('locale charmap')).stdout.trim()).toBe('ISO-8859-1');
  });
  afterAll(async () => {
    await t?.stop();
  });

  for (const who of ['root', 'deploy']) {
    it(`as ${who}: every name lands as spelt`, async () => {
      const run = await brinePush(
        [`${who}@127.0.0.1:${t.port}`, `pillar={"who": "${who}"}`, '--out', 'json', '--sls', 'names'],
        { knownHosts: kh, key: t.keyPath, states, pillar },
      );
      const res = hostResults<{ id: string; result: boolean; comment: string }>(run);
      expect(res.filter((r) => r.result !== true).map((r) => `${r.id}: ${r.comment}`)).toEqual([]);
      const ls = await t.ssh(`cd /srv/names/${who} && LC_ALL=C.UTF-8 find . -type f | LC_ALL=C sort`);
      const want = [...NAMES, 'ünï dir/f.conf']
        .map((n) => `./${n}`)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(ls.stdout.trim().split('\n')).toEqual(want);
    });
  }
});
