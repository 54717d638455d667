// A file whose name is near the 255-byte limit of a path component (here 250 bytes, and 124
// two-byte characters): brine's temp file next to it (`.NAME.brine-XXXX`) must still be a valid
// name, so file.managed, file.copy and file.symlink apply to it over SSH (as root and through sudo)
// as they do locally, and as the wave's tar already did.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/nspawn.js';
import { brinePush, hostResults, pushTree } from './brine-push.js';
import { startPushTarget } from './sudo-user.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const LONG = 'M'.repeat(250);
const WIDE = 'ü'.repeat(124);

describe('names near the length limit', () => {
  let t: Target;
  const { dir, kh, states, pillar } = pushTree('brine-longnames-');
  writeFileSync(
    join(states, 'long.sls'),
    [
      `"{{ pillar['b'] }}/${LONG}":\n  file.managed:\n    - contents: long\n    - makedirs: True\n`,
      `"{{ pillar['b'] }}/S${LONG.slice(1)}":\n  file.symlink:\n    - target: /etc/hostname\n`,
      `"{{ pillar['b'] }}/C${LONG.slice(1)}":\n  file.copy:\n    - source: /etc/hostname\n`,
      `"{{ pillar['b'] }}/${WIDE}":\n  file.managed:\n    - contents: wide\n`,
    ].join(''),
  );
  type Res = { id: string; result: boolean; comment: string };
  const failures = (res: Res[]) => res.filter((r) => r.result !== true).map((r) => r.comment.slice(0, 160));

  beforeAll(async () => {
    t = await startPushTarget(kh);
  });
  afterAll(async () => {
    await t?.stop();
  });

  for (const who of ['root', 'deploy']) {
    it(`over SSH as ${who}: every state applies`, async () => {
      const run = await brinePush(
        [`${who}@127.0.0.1:${t.port}`, `pillar={"b": "/srv/long/${who}"}`, '--out', 'json', '--sls', 'long'],
        { knownHosts: kh, key: t.keyPath, states, pillar },
      );
      expect(failures(hostResults<Res>(run))).toEqual([]);
      const ls = await t.ssh(`ls -A /srv/long/${who} | wc -l; cat /srv/long/${who}/${LONG}`);
      expect(ls.stdout.trim()).toBe('4\nlong');
    });
  }

  it('locally (--root): every state applies', async () => {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/hostname'), 'here\n');
    const r = await execa(
      'node',
      [
        join(REPO, 'bin/brine.mjs'),
        'sls',
        'long',
        ...['--states', states, '--pillar', pillar, '--root', root, '--out', 'json'],
        'pillar={"b": "/srv"}',
      ],
      { reject: false },
    );
    const res = (JSON.parse(r.stdout) as { results: Res[] }).results;
    expect(failures(res)).toEqual([]);
  });
});
