// onlyif / unless over SSH (issue 17): every guard of the run is read in the facts' round trip, so a
// no-op push of many guarded states costs at most 3 round trips, as root and as a sudo user. The
// guards keep their semantics: run as the state's `runas`, in its `cwd`, read again once something
// has changed (a guard that failed before a directory existed passes after), and a false onlyif or a
// true unless still skips its state.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brinePush } from './brine-push.js';
import type { Target } from '../../harness/nspawn.js';
import { startPushTarget } from './sudo-user.js';

const GUARDED = 30;

interface PushDoc {
  hosts: {
    roundTrips: number;
    report: {
      results: { id: string; result: boolean | null; comment: string; changes: unknown[] }[];
      summary: { changed: number; failed: number };
    } | null;
  }[];
}

function tree(dir: string): { states: string; pillar: string } {
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  mkdirSync(states, { recursive: true });
  mkdirSync(pillar, { recursive: true });
  const s: string[] = ["/srv/g:\n  file.directory:\n    - mode: '0755'\n"];
  for (let i = 0; i < GUARDED; i++) {
    // a third each: unless, onlyif, and a file.managed whose onlyif passes
    if (i % 3 === 0)
      s.push(`unless-${i}:\n  cmd.run:\n    - name: touch /srv/g/u${i}\n    - unless: test -e /srv/g/u${i}\n`);
    else if (i % 3 === 1)
      s.push(`onlyif-${i}:\n  cmd.run:\n    - name: touch /srv/g/o${i}\n    - onlyif: test ! -e /srv/g/o${i}\n`);
    else s.push(`/srv/g/f${i}.conf:\n  file.managed:\n    - contents: "f${i}"\n    - onlyif: test -d /srv/g\n`);
  }
  s.push(
    // runs as nobody: as root the guard would be false and the command would run
    `as-nobody:\n  cmd.run:\n    - name: touch /srv/g/wrong-user\n    - runas: nobody\n` +
      `    - unless: test "$(id -un)" = nobody\n`,
    // in its cwd, which exists only once /srv/g is made: the guard read before the run failed
    `in-cwd:\n  cmd.run:\n    - name: touch in-cwd\n    - cwd: /srv/g\n    - onlyif: test "$(pwd)" = /srv/g\n` +
      `    - unless: test -e in-cwd\n`,
    `never:\n  cmd.run:\n    - name: touch /srv/g/never\n    - onlyif:\n      - 'true'\n      - 'false'\n`,
  );
  writeFileSync(join(states, 'g.sls'), s.join('\n'));
  writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - g\n");
  writeFileSync(join(pillar, 'top.sls'), 'base: {}\n');
  return { states, pillar };
}

describe('onlyif / unless over SSH', () => {
  let t: Target;
  const dir = mkdtempSync(join(tmpdir(), 'brine-guards-'));
  const kh = join(dir, 'known_hosts');
  const { states, pillar } = tree(dir);

  const push = async (user: string) => {
    const setup = { knownHosts: kh, key: t.keyPath, states, pillar };
    const r = await brinePush([`${user}@127.0.0.1:${t.port}`, '--out', 'json'], setup);
    return { code: r.code, doc: JSON.parse(r.stdout) as PushDoc, stderr: r.stderr };
  };
  const comment = (doc: PushDoc, id: string) => doc.hosts[0]!.report!.results.find((x) => x.id === id)?.comment;

  beforeAll(async () => {
    t = await startPushTarget(kh);
  });
  afterAll(async () => {
    await t?.stop();
  });

  for (const user of ['root', 'deploy']) {
    it(`as ${user}: guards keep runas, cwd and their order; a no-op push costs at most 3 round trips`, async () => {
      expect((await t.ssh('rm -rf /srv/g')).exitCode).toBe(0);
      const first = await push(user);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const made = (await t.ssh('cd /srv/g && ls | sort | paste -sd " "')).stdout.trim().split(' ');
      const want = ['in-cwd'];
      for (let i = 0; i < GUARDED; i++) want.push(i % 3 === 0 ? `u${i}` : i % 3 === 1 ? `o${i}` : `f${i}.conf`);
      expect(made).toEqual(want.sort());
      expect(comment(first.doc, 'as-nobody')).toBe('unless condition is true: test "$(id -un)" = nobody');
      expect(comment(first.doc, 'never')).toBe('onlyif condition is false: false');

      const again = await push(user);
      expect(again.code).toBe(0);
      const h = again.doc.hosts[0]!;
      expect(h.report!.summary).toMatchObject({ changed: 0, failed: 0 });
      expect(comment(again.doc, 'unless-0')).toBe('unless condition is true: test -e /srv/g/u0');
      expect(comment(again.doc, 'onlyif-1')).toBe('onlyif condition is false: test ! -e /srv/g/o1');
      expect(comment(again.doc, 'in-cwd')).toBe('unless condition is true: test -e in-cwd');
      process.stdout.write(`guards: no-op push as ${user}: ${h.roundTrips} round trips, ${GUARDED + 4} states\n`);
      // grains + env (1), run lock + temp sweep (1), facts + creates + every guard (1)
      expect(h.roundTrips).toBeGreaterThan(0);
      expect(h.roundTrips).toBeLessThanOrEqual(3);
    });
  }
});
