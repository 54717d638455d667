// A dry run on this machine (no --root: apt's lists are the host's) of a pkg.installed whose package
// apt does not know, after a pending state. A pending cmd.run that cannot add an apt source
// (update-grub in the ecs-appliance tree) must not mask it: the package state fails (exit 1) saying
// why. After a pending pkgrepo.managed (a new source) it is "would change after" that state (exit 2).
// Nothing changes on the host either way.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { brine, cleanScratch, scratch } from './tree.js';

const PKG = `brine-no-such-package-${process.pid % 100000}`;
const LIST = `/etc/apt/sources.list.d/brine-dfr-${process.pid % 100000}.list`;
const MARK = `/tmp/brine-dfr-${process.pid % 100000}`;

const grub = `grub:\n  cmd.run:\n    - name: touch ${MARK}\n\n`;
const repo = `repo:
  pkgrepo.managed:
    - name: deb [signed-by=/etc/apt/keyrings/brine-dfr.gpg] http://127.0.0.1:9/debian bookworm main
    - file: ${LIST}

`;
const want = `want:\n  pkg.installed:\n    - name: ${PKG}\n`;

afterAll(cleanScratch);

type Res = Array<{ id: string; result: boolean | null; comment: string }>;

async function dryRun(sls: string) {
  const s = scratch({ 'top.sls': "base:\n  '*':\n    - p\n", 'p.sls': sls }, { 'top.sls': 'base: {}\n' });
  const r = await brine(
    s,
    ['highstate', '--test', '--id', 'pkg-deferral', '--out', 'json'],
    ['--states', s.states, '--pillar', s.pillar, '--env', s.env],
  );
  const res = r.stdout ? (JSON.parse(r.stdout).results as Res) : [];
  return { ...r, res: res.map((x) => [x.id, x.result, x.comment]) };
}

describe('dry run of a package apt does not know, after a pending state', () => {
  it('after a pending cmd.run: the package state fails, naming the package (exit 1)', async () => {
    const r = await dryRun(grub + want);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.res).toEqual([
      ['grub', null, expect.stringMatching(/^would change/)],
      [
        'want',
        false,
        `${PKG}: package '${PKG}' not found in apt's lists: no configured repository provides it ` +
          '(set refresh: True if the index is stale); no earlier state adds an apt source, so a real run fails too',
      ],
    ]);
    expect(existsSync(MARK)).toBe(false);
  });

  it('after a pending pkgrepo.managed: would change after it (exit 2), the source not written', async () => {
    const r = await dryRun(grub + repo + want);
    expect(r.code, r.stderr + r.stdout).toBe(2);
    expect(r.res).toEqual([
      ['grub', null, expect.stringMatching(/^would change/)],
      ['repo', null, expect.stringMatching(/^would change/)],
      ['want', null, 'would change after pkgrepo: repo'],
    ]);
    expect(existsSync(LIST)).toBe(false);
    expect(existsSync(MARK)).toBe(false);
  });

  it('a package apt knows after the pending cmd.run: would change, not failed (exit 2)', async () => {
    // a package this machine does not have installed but apt's lists know
    const r = await dryRun(`${grub}want:\n  pkg.installed:\n    - name: sl\n`);
    expect(r.code, r.stderr + r.stdout).toBe(2);
    expect(r.res).toEqual([
      ['grub', null, expect.stringMatching(/^would change/)],
      ['want', null, expect.stringMatching(/^would change \(/)],
    ]);
  });
});
