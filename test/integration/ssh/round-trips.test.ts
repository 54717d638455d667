// Round trips of a push over SSH (issue 17): a mixed tree as a user writes one (managed files from
// salt:// with owner and mode, a file.recurse of a directory, symlinks, absent paths, text edits,
// commands with guards, a big file) costs at most states/10 + a constant on its first apply and at
// most 3 on the no-op, as root and through sudo; and the target then holds what the states say.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/nspawn.js';
import { brinePush } from './brine-push.js';
import { startPushTarget } from './sudo-user.js';

const SECRET = 's3cr3t-round-trips-5531';
/** Round trips a first apply may take over states/10: grains and env, the run lock, facts, a few waves. */
const FIRST_APPLY_CONSTANT = 6;

interface PushDoc {
  hosts: {
    roundTrips: number;
    report: { results: { id: string; result: boolean | null; comment: string }[] } | null;
  }[];
}

/** The tree, writing under `base` on the target; `big` is the big file's bytes. */
function tree(dir: string, base: string, big: Buffer): { states: string; pillar: string; count: number } {
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  mkdirSync(join(states, 'conf'), { recursive: true });
  mkdirSync(pillar, { recursive: true });
  const s: string[] = [];
  const add = (id: string, body: string) => s.push(`${id}:\n${body}`);
  add('base', `  file.directory:\n    - name: ${base}\n`);
  for (let i = 0; i < 10; i++) {
    writeFileSync(join(states, 'conf', `c${i}.conf`), `conf ${i}\n{{ pillar.app.token }}\n`);
    add(
      `conf-${i}`,
      `  file.managed:\n    - name: ${base}/etc/c${i}.conf\n    - source: salt://conf/c${i}.conf\n` +
        "    - template: jinja\n    - user: root\n    - group: daemon\n    - mode: '0640'\n    - makedirs: True\n",
    );
  }
  for (let i = 0; i < 30; i++) {
    mkdirSync(join(states, 'site', `d${i % 3}`), { recursive: true });
    writeFileSync(join(states, 'site', `d${i % 3}`, `p${i}.html`), `<p>${i}</p>\n`);
  }
  add('site', `  file.recurse:\n    - name: ${base}/site\n    - source: salt://site\n    - file_mode: '0644'\n`);
  writeFileSync(join(states, 'blob'), big);
  add('blob', `  file.managed:\n    - name: ${base}/blob\n    - source: salt://blob\n    - mode: '0600'\n`);
  // the files the edits below change, each its own (an edit of a path an earlier state of the wave
  // writes ends the wave: its facts must be read after that write)
  const seed = (i: number) => `alpha ${i}\\nbeta\\n# BEGIN b\\nold\\n# END b\\n`;
  for (const k of ['r', 'l', 'b'])
    for (let i = 0; i < 3; i++)
      add(
        `seed-${k}${i}`,
        `  file.managed:\n    - name: ${base}/${k}${i}.txt\n    - replace: False\n    - contents: "${seed(i)}"\n`,
      );
  for (let i = 0; i < 3; i++) {
    add(`link-${i}`, `  file.symlink:\n    - name: ${base}/l${i}\n    - target: ${base}/etc/c${i}.conf\n`);
    add(`gone-${i}`, `  file.absent:\n    - name: ${base}/old${i}\n`);
    add(`append-${i}`, `  file.append:\n    - name: ${base}/a${i}.txt\n    - text: appended ${i}\n`);
  }
  for (let i = 0; i < 3; i++) {
    add(`replace-${i}`, `  file.replace:\n    - name: ${base}/r${i}.txt\n    - pattern: beta\n    - repl: gamma\n`);
    add(
      `line-${i}`,
      `  file.line:\n    - name: ${base}/l${i}.txt\n    - content: lined ${i}\n    - mode: ensure\n` +
        `    - after: alpha ${i}\n`,
    );
    add(
      `block-${i}`,
      `  file.blockreplace:\n    - name: ${base}/b${i}.txt\n    - marker_start: '# BEGIN b'\n` +
        `    - marker_end: '# END b'\n    - content: new ${i}\n`,
    );
  }
  for (let i = 0; i < 4; i++) {
    add(
      `cmd-${i}`,
      `  cmd.run:\n    - name: echo ran-${i} > ${base}/ran${i}\n    - creates: ${base}/ran${i}\n` +
        `    - unless: test -e ${base}/never${i}\n`,
    );
  }
  writeFileSync(join(states, 'mixed.sls'), s.join(''));
  writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - mixed\n");
  writeFileSync(join(pillar, 'top.sls'), "base:\n  '*':\n    - app\n");
  writeFileSync(join(pillar, 'app.sls'), `app:\n  token: ${SECRET}\n`);
  return { states, pillar, count: s.length };
}

describe('round trips of a mixed tree over SSH', () => {
  let t: Target;
  const dir = mkdtempSync(join(tmpdir(), 'brine-rtrips-'));
  const kh = join(dir, 'known_hosts');
  const base = '/srv/round-trips';
  const big = randomBytes(12 * 1024 * 1024);
  const { states, pillar, count } = tree(dir, base, big);

  beforeAll(async () => {
    t = await startPushTarget(kh);
  });
  afterAll(async () => {
    await t?.stop();
  });

  for (const user of ['root', 'deploy']) {
    it(`as ${user}: ${count} states, first apply <= states/10 + ${FIRST_APPLY_CONSTANT}, no-op <= 3`, async () => {
      const prep = [
        'rm -rf',
        base,
        '&& mkdir -p',
        base,
        '&& touch',
        `${base}/old0 ${base}/old1`,
        `&& mkdir ${base}/old2`,
      ];
      expect((await t.ssh(prep.join(' '))).exitCode).toBe(0);
      const setup = { knownHosts: kh, key: t.keyPath, states, pillar };
      const push = async () => {
        const r = await brinePush([`${user}@127.0.0.1:${t.port}`, '--out', 'json'], setup);
        expect(r.stdout + r.stderr).not.toContain(SECRET);
        const h = (JSON.parse(r.stdout) as PushDoc).hosts[0]!;
        const bad = h.report!.results.filter((x) => x.result !== true);
        expect(bad).toEqual([]);
        expect(h.report!.results).toHaveLength(count);
        return h.roundTrips;
      };
      const first = await push();
      const noop = await push();
      process.stdout.write(`round trips as ${user}: ${count} states, first apply ${first}, no-op ${noop}\n`);
      expect(first).toBeLessThanOrEqual(Math.floor(count / 10) + FIRST_APPLY_CONSTANT);
      expect(noop).toBeLessThanOrEqual(3);

      const look = await t.ssh(
        `cd ${base} && stat -c '%a %U %G' etc/c3.conf blob && cat etc/c3.conf a1.txt r1.txt l1.txt b1.txt && ` +
          'readlink l2 && find site -type f | wc -l && cat site/d1/p4.html ran2 && sha256sum blob && ls',
      );
      expect(look.exitCode).toBe(0);
      const sha = createHash('sha256').update(big).digest('hex');
      const seeded = (mid: string[], block: string) => ['alpha 1', ...mid, '# BEGIN b', block, '# END b'];
      expect(look.stdout).toBe(
        [
          '640 root daemon',
          '600 root root',
          'conf 3',
          SECRET,
          'appended 1',
          ...seeded(['gamma'], 'old'),
          ...seeded(['lined 1', 'beta'], 'old'),
          ...seeded(['beta'], 'new 1'),
          `${base}/etc/c2.conf`,
          '30',
          '<p>4</p>',
          'ran-2',
          `${sha}  blob`,
          ...[
            'a0.txt',
            'a1.txt',
            'a2.txt',
            'b0.txt',
            'b1.txt',
            'b2.txt',
            'blob',
            'etc',
            'l0',
            'l0.txt',
            'l1',
            'l1.txt',
          ],
          ...['l2', 'l2.txt', 'r0.txt', 'r1.txt', 'r2.txt', 'ran0', 'ran1', 'ran2', 'ran3', 'site'],
        ].join('\n'),
      );
    });
  }
});
