// Commands in waves over SSH (engine/run/wave.ts, issue 17): consecutive cmd.run states and their
// onlyif/unless/creates run in ONE batch on the target, each guard at its command's turn. A `creates`
// path an earlier command of the batch writes skips the later command, an `unless` that an earlier
// command makes true skips, a failing command fails only its state and the next still runs; every
// state reports what a local run of the same tree reports (comments, retcode, stdout, stderr), as
// root and through sudo, and the secret in a command's env and words never shows.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brinePush } from './brine-push.js';
import type { Target } from '../../harness/nspawn.js';
import { startPushTarget } from './sudo-user.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const SECRET = 's3cr3t-cmd-wave-token-8462';

interface Result {
  id: string;
  result: boolean | null;
  comment: string;
  changes: unknown[];
  output?: Record<string, unknown>;
}
interface Report {
  results: Result[];
  summary: { changed: number; failed: number };
}
interface PushDoc {
  hosts: { roundTrips: number; report: Report | null }[];
}

/** The tree: commands only (the base directory is made beforehand), every one in the same wave. */
function tree(dir: string, base: string): { states: string; pillar: string; count: number } {
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  mkdirSync(states, { recursive: true });
  mkdirSync(pillar, { recursive: true });
  const s = [
    `make-it:\n  cmd.run:\n    - name: touch ${base}/made; echo made\n`,
    // written by the command before it in the same batch
    `skip-created:\n  cmd.run:\n    - name: touch ${base}/wrong-1\n    - creates: ${base}/made\n`,
    `first:\n  cmd.run:\n    - name: |\n        touch ran\n        echo first; pwd\n    - cwd: ${base}\n` +
      `    - unless: test -e ran\n`,
    // true once `first` ran
    `unless-now-true:\n  cmd.run:\n    - name: touch ${base}/wrong-2\n    - cwd: ${base}\n` +
      `    - unless:\n      - test -e ran\n      - 'true'\n`,
    `fails:\n  cmd.run:\n    - name: echo to-stderr >&2; exit 7\n`,
    `after-failure:\n  cmd.run:\n    - name: touch ${base}/after; echo "token {{ pillar.app.api_token }} $TOKEN"\n` +
      `    - env:\n      - TOKEN: {{ pillar.app.api_token }}\n`,
    `as-nobody:\n  cmd.run:\n    - name: id -un; echo "$HOME"\n    - runas: nobody\n` +
      `    - onlyif: test "$(id -un)" = nobody\n`,
    `onlyif-false:\n  cmd.run:\n    - name: touch ${base}/wrong-3\n    - onlyif:\n      - 'true'\n      - 'false'\n`,
    `retcode-ok:\n  cmd.run:\n    - name: echo two; exit 2\n    - success_retcodes: [2]\n`,
    `hidden:\n  cmd.run:\n    - name: echo hidden-out\n    - hide_output: True\n`,
    `too-slow:\n  cmd.run:\n    - name: sleep 5\n    - timeout: 1\n`,
    `waits:\n  cmd.wait:\n    - name: touch ${base}/wrong-4\n    - creates: ${base}/made\n`,
  ];
  writeFileSync(join(states, 'cw.sls'), s.join('\n'));
  writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - cw\n");
  writeFileSync(join(pillar, 'top.sls'), "base:\n  '*':\n    - app\n");
  writeFileSync(join(pillar, 'app.sls'), `app:\n  api_token: ${SECRET}\n`);
  return { states, pillar, count: s.length };
}

/** What a state reports, without timings. */
const shape = (r: Report) =>
  r.results.map((x) => {
    const { duration_ms: _, ...output } = x.output ?? {};
    return { id: x.id, result: x.result, comment: x.comment, changes: x.changes, output };
  });

describe('commands in waves over SSH', () => {
  let t: Target;
  const dir = mkdtempSync(join(tmpdir(), 'brine-cmdwave-'));
  const base = join(dir, 'work');
  const kh = join(dir, 'known_hosts');
  const { states, pillar, count } = tree(dir, base);

  beforeAll(async () => {
    t = await startPushTarget(kh);
  });
  afterAll(async () => {
    await t?.stop();
  });

  let local: Report;
  it('a local run of the tree (the reference)', async () => {
    mkdirSync(base, { recursive: true });
    const r = await execa(
      'node',
      [join(REPO, 'bin/brine.mjs'), 'highstate', '--out', 'json', '--states', states, '--pillar', pillar],
      { reject: false, env: { NO_COLOR: '1', BRINE_PROGRESS: 'off' } },
    );
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    local = JSON.parse(r.stdout) as Report;
    expect(local.results.map((x) => [x.id, x.result])).toEqual([
      ['make-it', true],
      ['skip-created', true],
      ['first', true],
      ['unless-now-true', true],
      ['fails', false],
      ['after-failure', true],
      ['as-nobody', true],
      ['onlyif-false', true],
      ['retcode-ok', true],
      ['hidden', true],
      ['too-slow', false],
      ['waits', true],
    ]);
  });

  for (const user of ['root', 'deploy']) {
    it(`as ${user}: one batch for ${count} commands and their guards, each reporting as the local run`, async () => {
      expect((await t.ssh(`rm -rf ${base} && mkdir -p ${base}`)).exitCode).toBe(0);
      const setup = { knownHosts: kh, key: t.keyPath, states, pillar };
      const r = await brinePush([`${user}@127.0.0.1:${t.port}`, '--out', 'json'], setup);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      const doc = JSON.parse(r.stdout) as PushDoc;
      const h = doc.hosts[0]!;
      expect(shape(h.report!)).toEqual(shape(local));
      const byId = (id: string) => h.report!.results.find((x) => x.id === id)!;
      expect(byId('skip-created').comment).toBe(`All files in creates exist: ${base}/made`);
      expect(byId('unless-now-true').comment).toBe('unless condition is true: test -e ran; true');
      expect(byId('fails')).toMatchObject({ result: false, output: { retcode: 7, stderr: 'to-stderr' } });
      expect(byId('after-failure').output?.stdout).toBe('token <redacted> <redacted>');
      expect(byId('as-nobody').output?.stdout).toBe('nobody\n/nonexistent');
      expect(byId('too-slow').comment).toBe('Command "sleep 5" timed out after 1s');
      const made = (await t.ssh(`cd ${base} && ls | sort | paste -sd " "`)).stdout.trim();
      expect(made).toBe('after made ran');
      process.stdout.write(`command waves: first push as ${user}: ${h.roundTrips} round trips, ${count} states\n`);
      // grains + env (1), run lock (1), facts + guards (1), the commands with their guards (1)
      expect(h.roundTrips).toBeLessThanOrEqual(5);
    });
  }
});
