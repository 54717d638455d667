// Waves over SSH (engine/run/wave.ts): `brine push` of a tree of directories and files applies them
// in a few batches, as root and as a sudo user. On disk everything is as one-at-a-time applies leave
// it (contents, modes with x and setgid bits, owners, an existing file's owner and mode kept, no temp
// file left); a state whose change fails inside a batch fails alone; check_cmd still refuses; a secret
// never shows; the round trips do not grow with the number of files; a second push changes nothing.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brinePush } from './brine-push.js';
import type { Target } from '../../harness/nspawn.js';
import { startPushTarget } from './sudo-user.js';

const FILES = 36;
const SECRET = 's3cr3t-wave-value-4711';

interface PushDoc {
  hosts: {
    roundTrips: number;
    report: {
      results: { id: string; result: boolean | null; comment: string; changes: unknown[] }[];
      summary: { changed: number; failed: number };
    } | null;
  }[];
}

function tree(dir: string): { states: string; pillar: string; count: number } {
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  mkdirSync(join(states, 'w'), { recursive: true });
  mkdirSync(pillar, { recursive: true });
  const s: string[] = [];
  for (let d = 0; d < 3; d++) s.push(`/srv/w/d${d}:\n  file.directory:\n    - mode: '0750'\n    - makedirs: True\n`);
  for (let i = 0; i < FILES; i++) {
    const mode = ['0640', '0755', '2755', '0600'][i % 4];
    const own = i % 3 === 0 ? '    - user: nobody\n    - group: nogroup\n' : '';
    s.push(
      `/srv/w/d${i % 3}/f${i}.conf:\n  file.managed:\n    - contents: "file ${i} of {{ grains['id'] }}"\n    - ` +
        `mode: '${mode}'\n${own}`,
    );
  }
  writeFileSync(join(states, 'w/t.j2'), 'templated {{ n }}\n');
  s.push(
    `/srv/w/deep/a/b/t.conf:\n  file.managed:\n    - source: salt://w/t.j2\n    - template: jinja\n    - context: { ` +
      `n: 7 }\n    - makedirs: True\n`,
  );
  s.push(`/srv/w/keep.conf:\n  file.managed:\n    - contents: new\n`);
  s.push(
    `/srv/w/secret.conf:\n  file.managed:\n    - contents: "PASSWORD={{ pillar['w_password'] }}"\n    - mode: '0600'\n`,
  );
  s.push(`/srv/w/checked.conf:\n  file.managed:\n    - contents: not good\n    - check_cmd: grep -q fine\n`);
  // its parent's parent is a file: mkdir -p fails inside the batch
  s.push(`/srv/w/afile/sub/x.conf:\n  file.managed:\n    - contents: x\n    - makedirs: True\n`);
  s.push(`/srv/w/d0/last.conf:\n  file.managed:\n    - contents: last\n`);
  writeFileSync(join(states, 'w/init.sls'), s.join('\n'));
  writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - w\n");
  writeFileSync(join(pillar, 'top.sls'), "base:\n  '*':\n    - w\n");
  writeFileSync(join(pillar, 'w.sls'), `w_password: ${SECRET}\n`);
  return { states, pillar, count: 3 + FILES + 6 };
}

describe('waves: a first push of many files', () => {
  let t: Target;
  const dir = mkdtempSync(join(tmpdir(), 'brine-waves-'));
  const kh = join(dir, 'known_hosts');
  const { states, pillar, count } = tree(dir);

  const push = async (user: string) => {
    const setup = { knownHosts: kh, key: t.keyPath, states, pillar };
    const r = await brinePush([`${user}@127.0.0.1:${t.port}`, '--out', 'json'], setup);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    return { code: r.code, doc: JSON.parse(r.stdout) as PushDoc, stderr: r.stderr };
  };

  beforeAll(async () => {
    t = await startPushTarget(kh);
  });
  afterAll(async () => {
    await t?.stop();
  });

  for (const user of ['root', 'deploy']) {
    it(
      `as ${user}: applies in few round trips, leaves the files as one-by-one applies do; a second push changes ` +
        `nothing`,
      async () => {
        const setup =
          'rm -rf /srv/w; mkdir -p /srv/w; echo old > /srv/w/keep.conf; chown nobody:nogroup /srv/w/keep.conf; chmod ' +
          '604 /srv/w/keep.conf; : > /srv/w/afile';
        expect((await t.ssh(setup)).exitCode).toBe(0);
        const first = await push(user);
        expect(first.code, first.stderr).toBe(1);
        const h = first.doc.hosts[0]!;
        const res = new Map(h.report!.results.map((r) => [r.id, r]));
        expect(res.size).toBe(count);
        expect(res.get('/srv/w/checked.conf')).toMatchObject({
          result: false,
          comment: expect.stringMatching(/check_cmd 'grep -q fine' refused/),
        });
        expect(res.get('/srv/w/afile/sub/x.conf')).toMatchObject({
          result: false,
          comment: expect.stringMatching(/mkdir .*(Not a directory|File exists)/),
        });
        const ok = [...res.values()].filter((r) => !r.id.includes('checked') && !r.id.includes('afile'));
        expect(ok.filter((r) => r.result !== true || !r.changes.length).map((r) => r.id)).toEqual([]);
        process.stdout.write(`waves: first push as ${user}: ${h.roundTrips} round trips for ${count} states\n`);
        expect(h.roundTrips).toBeLessThanOrEqual(30);

        const on = (cmd: string) => t.ssh(cmd).then((r) => r.stdout.trim());
        expect(
          await on(
            `stat -c '%a %U:%G' /srv/w/d0 /srv/w/d0/f0.conf /srv/w/d1/f1.conf /srv/w/d2/f2.conf /srv/w/d0/f3.conf ` +
              `/srv/w/keep.conf /srv/w/secret.conf /srv/w/deep/a/b/t.conf /srv/w/deep/a`,
          ),
        ).toBe(
          [
            '750 root:root',
            '640 nobody:nogroup',
            '755 root:root',
            '2755 root:root',
            '600 nobody:nogroup',
            '604 nobody:nogroup',
            '600 root:root',
            '644 root:root',
            '755 root:root',
          ].join('\n'),
        );
        expect(await on('cat /srv/w/d1/f4.conf /srv/w/keep.conf /srv/w/deep/a/b/t.conf /srv/w/d0/last.conf')).toBe(
          `file 4 of ${t.name}\nnew\ntemplated 7\nlast`,
        );
        expect(await on(`cat /srv/w/secret.conf`)).toBe(`PASSWORD=${SECRET}`);
        expect(await on('test -e /srv/w/checked.conf; echo $?; find /srv/w -name ".*brine-*" | wc -l')).toBe('1\n0');

        const again = await push(user);
        expect(again.code).toBe(1);
        const h2 = again.doc.hosts[0]!;
        expect(h2.report!.summary.changed).toBe(0);
        expect(
          h2
            .report!.results.filter((r) => r.result === false)
            .map((r) => r.id)
            .sort(),
        ).toEqual(['/srv/w/afile/sub/x.conf', '/srv/w/checked.conf']);
        process.stdout.write(`waves: second push as ${user}: ${h2.roundTrips} round trips\n`);
      },
    );
  }
});
