// `brine push` of a wave of files into a directory that cannot take them, as root and as a sudo
// user: a read-only file system and a full one (a small tmpfs). Each state fails with an error that
// says why, as a local apply's does; nothing is half-written; no staging directory is left.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/nspawn.js';
import { brinePush, hostResults, pushTree } from './brine-push.js';
import { startPushTarget } from './sudo-user.js';

interface Res {
  id: string;
  result: boolean | null;
  comment: string;
}

describe('a wave of files into a file system that refuses them', () => {
  let t: Target;
  const { kh, states, pillar } = pushTree('brine-wavefs-');
  mkdirSync(join(states, 'big'));
  writeFileSync(join(states, 'big/data'), Buffer.alloc(300_000, 'b'));
  const files = (b: string, names: string[]) =>
    names
      .map((n) =>
        n === 'big'
          ? `${b}/big:\n  file.managed:\n    - source: salt://big/data\n`
          : `${b}/${n}:\n  file.managed:\n    - contents: "${n} new"\n`,
      )
      .join('');
  writeFileSync(join(states, 'ro.sls'), files('/srv/ro', ['f0', 'f1', 'f2', 'f3']));
  writeFileSync(join(states, 'full.sls'), files('/srv/full', ['s0', 's1', 's2', 'big', 's3', 's4', 's5']));

  const push = async (user: string, sls: string) =>
    hostResults<Res>(
      await brinePush([`${user}@127.0.0.1:${t.port}`, '--out', 'json', '--sls', sls], {
        knownHosts: kh,
        key: t.keyPath,
        states,
        pillar,
      }),
    );
  const on = async (cmd: string) => (await t.ssh(cmd)).stdout.trim();

  beforeAll(async () => {
    t = await startPushTarget(kh);
  });
  afterAll(async () => {
    await t?.stop();
  });

  for (const user of ['root', 'deploy']) {
    it(`as ${user}: on a read-only file system each file fails saying so, the old one kept`, async () => {
      await t.ssh(
        'umount /srv/ro 2>/dev/null; mkdir -p /srv/ro && mount -t tmpfs tmpfs /srv/ro && echo old > /srv/ro/f0 && ' +
          'mount -o remount,ro /srv/ro',
      );
      const res = await push(user, 'ro');
      expect(res.map((r) => [r.id, r.result])).toEqual(['f0', 'f1', 'f2', 'f3'].map((n) => [`/srv/ro/${n}`, false]));
      for (const r of res) expect(r.comment).toMatch(/Read-only file system/);
      expect(await on('ls -A /srv/ro; cat /srv/ro/f0')).toBe('f0\nold');
    });

    it(`as ${user}: on a full file system the files that fit land, as a local apply lands them`, async () => {
      await t.ssh(
        'umount /srv/full 2>/dev/null; mkdir -p /srv/full && mount -t tmpfs -o size=256k tmpfs /srv/full && ' +
          'head -c 100000 /dev/zero > /srv/full/filler',
      );
      const res = await push(user, 'full');
      // big (300 kB) cannot fit: it fails alone, with the reason; the small ones after it still land
      expect(res.filter((r) => r.result !== true).map((r) => r.id)).toEqual(['/srv/full/big']);
      expect(res.find((r) => r.id === '/srv/full/big')!.comment).toMatch(/No space left on device/);
      expect(await on('ls -A /srv/full | tr "\\n" " "; cat /srv/full/s5')).toBe('filler s0 s1 s2 s3 s4 s5 s5 new');
    });
  }
});
