// The progress of a local run (brine sls under a scratch --root): off a terminal a line per state
// on stderr while stdout holds only the report (JSON stays parseable); on a terminal (a pty) a
// live view with the running state, its time, then the result; --quiet prints no progress.
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, cleanScratch, REPO, scratch } from './tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

const SLS = `
first:
  file.managed:
    - name: /srv/p/first
    - makedirs: true
    - contents: one
slow:
  cmd.run:
    - name: sleep 2.5
second:
  file.managed:
    - name: /srv/p/second
    - contents: two
`;

describe('progress of a local run', () => {
  const run = async (args: string[], progress: string) => {
    const s = scratch({ 'p.sls': SLS });
    const argv = [
      join(REPO, 'bin/brine.mjs'),
      'sls',
      'p',
      '--id',
      'box1',
      '--states',
      s.states,
      '--pillar',
      s.pillar,
      '--env',
      s.env,
      '--root',
      s.root,
      ...args,
    ];
    return execa('node', argv, { reject: false, env: { NO_COLOR: '1', BRINE_PROGRESS: progress }, timeout: 120_000 });
  };

  it('off a terminal: a line per state as it finishes on stderr, stdout keeps clean JSON', async () => {
    const r = await run(['--out', 'json'], '');
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /\[\d\/3\]/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/^brine: box1: \[1\/3\] changed file\.managed: first \(\/srv\/p\/first\) \(\d+\.\ds\)$/),
      expect.stringMatching(/^brine: box1: \[2\/3\] changed cmd\.run: slow \(sleep 2\.5\) \(2\.\ds\)$/),
      expect.stringMatching(/^brine: box1: \[3\/3\] changed file\.managed: second/),
    ]);
    expect(r.stderr).toMatch(/^brine: box1: done: ok, 3 changed, 0 failed/m);
    // stdout stays the report alone (progress goes to stderr): it parses, with every state in it
    const report = JSON.parse(r.stdout) as { results: Array<{ id: string; result: boolean }> };
    expect(report.results.map((x) => [x.id, x.result])).toEqual([
      ['first', true],
      ['slow', true],
      ['second', true],
    ]);
  });

  it('--quiet: no progress at all', async () => {
    const r = await run(['--quiet'], '');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Succeeded: 3');
  });

  it('on a terminal: the live view shows the running state and its time, then the result', async () => {
    const s = scratch({ 'p.sls': SLS });
    const cmd =
      `stty cols 120 rows 30; node ${join(REPO, 'bin/brine.mjs')} sls p --id box1 ` +
      `--states ${s.states} --pillar ${s.pillar} --env ${s.env} --root ${s.root}`;
    const r = await execa('script', ['-qec', cmd, '/dev/null'], {
      reject: false,
      env: { NO_COLOR: '1', BRINE_PROGRESS: '' },
      timeout: 120_000,
    });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/box1\s+1\/3\s+running/); // the host's line while `slow` runs
    expect(r.stdout).toMatch(/cmd\.run: slow \(sleep 2\.5\)\s+[12]\.\ds/); // the running state with its time
    expect(r.stdout).toMatch(/✔ box1\s+3\/3\s+ok, 3 changed, 0 failed/);
    expect(r.stdout.lastIndexOf('✔ box1')).toBeLessThan(r.stdout.indexOf('Summary for'));
  });
});
