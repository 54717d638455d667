// A command that ignores SIGTERM and runs past its timeout: the remote `timeout` has to KILL it
// (exit 137). Over SSH, in a wave of commands and alone, as root and through sudo, it is reported
// as a local run reports it: timed out after its limit (exit 124), and the states after it run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/nspawn.js';
import { brinePush, hostResults, pushTree } from './brine-push.js';
import { startPushTarget } from './sudo-user.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

interface Res {
  id: string;
  result: boolean;
  comment: string;
  output?: { retcode: number };
}

describe('a command that outlives its timeout', () => {
  let t: Target;
  const { dir, kh, states, pillar } = pushTree('brine-cmdtimeout-');
  const stubborn = `  cmd.run:\n    - name: "trap '' TERM; sleep 9; echo survived"\n    - timeout: 1\n`;
  // in a wave (commands one after another), then alone (a file state between: its own wave ends)
  writeFileSync(
    join(states, 'slow.sls'),
    `first:\n  cmd.run:\n    - name: echo one\nstubborn:\n${stubborn}last:\n  cmd.run:\n    - name: echo last\n` +
      `/tmp/brine-cmdtimeout-none:\n  file.absent: []\nalone:\n${stubborn}`,
  );
  const pick = (res: Res[]) =>
    res.map((r) => ({ id: r.id, result: r.result, comment: r.comment, retcode: r.output?.retcode }));

  beforeAll(async () => {
    t = await startPushTarget(kh);
  });
  afterAll(async () => {
    await t?.stop();
  });

  let local: ReturnType<typeof pick> = [];
  it('locally: timed out, the others run (the reference)', async () => {
    const root = join(dir, 'root');
    mkdirSync(root, { recursive: true });
    const r = await execa(
      'node',
      [
        join(REPO, 'bin/brine.mjs'),
        'sls',
        'slow',
        '--states',
        states,
        '--pillar',
        pillar,
        '--root',
        root,
        '--out',
        'json',
      ],
      { reject: false },
    );
    local = pick((JSON.parse(r.stdout) as { results: Res[] }).results);
    expect(local.find((r) => r.id === 'stubborn')).toMatchObject({ result: false, retcode: 124 });
    expect(local.find((r) => r.id === 'stubborn')!.comment).toMatch(/timed out after 1s/);
  });

  for (const who of ['root', 'deploy']) {
    it(`as ${who}: reported as the local run reports it`, async () => {
      const run = await brinePush([`${who}@127.0.0.1:${t.port}`, '--out', 'json', '--sls', 'slow'], {
        knownHosts: kh,
        key: t.keyPath,
        states,
        pillar,
      });
      expect(pick(hostResults<Res>(run))).toEqual(local);
    });
  }
});
