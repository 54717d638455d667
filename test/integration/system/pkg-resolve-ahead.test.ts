// pkg.installed's read on the local host (this machine's real dpkg and apt, read only): apt's
// resolution starts from dpkg's status file beside the apt-cache read, and the facts are exactly those of
// the read that asks apt only after apt-cache answered (the SSH transport's way); a wrong guess costs
// an unused resolution, never a different answer; a pinned version makes no guess.
import { statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExecOptions, Host } from '../../../engine/host/host.js';
import { LocalHost } from '../../../engine/host/local.js';
import type { InstalledArgs } from '../../../modules/pkg/installed.js';
import { modules } from '../../../modules/pkg/index.js';
import { testCtx } from '../../support/checkapply.js';

const installed = modules.pkg!.installed!;
type Items = Array<{ args: InstalledArgs; aggregate?: boolean }>;

/** The host's apt resolutions and reads of dpkg's status file, counted; inProcess as asked. */
function counted(inProcess: boolean) {
  const local = new LocalHost();
  const calls = { resolutions: 0, statusReads: 0 };
  const host = new Proxy(local, {
    get(t, p, r) {
      if (p === 'inProcess') return inProcess;
      if (p === 'exec')
        return (argv: string[], o?: ExecOptions) => {
          if (argv.join(' ').includes('--print-uris')) calls.resolutions++;
          return t.exec(argv, o);
        };
      if (p === 'readFile')
        return (path: string) => {
          if (path === '/var/lib/dpkg/status') calls.statusReads++;
          return t.readFile(path);
        };
      const v = Reflect.get(t, p, r);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  }) as Host;
  return { host, calls, close: () => local.close() };
}

async function gather(items: Items, inProcess: boolean) {
  const c = counted(inProcess);
  try {
    const facts = await installed.gatherMany!(
      c.host,
      items.map((i) => ({ ...i, ctx: testCtx(i.args) })),
    );
    return { facts, calls: c.calls };
  } finally {
    await c.close();
  }
}

let missing: string[] = [];

beforeAll(async () => {
  // packages this machine lacks and its apt lists offer (read from dpkg and apt, not assumed)
  const host = new LocalHost();
  const want = ['sl', 'figlet', 'cowsay', 'gosu', 'lynx', 'tree', 'pv'];
  const r = await host.exec([
    'sh',
    '-c',
    'for p; do dpkg-query -W "$p" >/dev/null 2>&1 || echo "$p"; done',
    'sh',
    ...want,
  ]);
  const absent = r.stdout.split('\n').filter(Boolean);
  const p = await host.exec(['apt-cache', 'policy', ...absent], { env: { LC_ALL: 'C' } });
  missing = absent.filter((n) =>
    new RegExp(`^${n}:\\n\\s+Installed: \\(none\\)\\n\\s+Candidate: \\d`, 'm').test(p.stdout),
  );
  await host.close();
  expect(missing.length).toBeGreaterThanOrEqual(2);
}, 60_000);

describe('pkg.installed on the local host: the resolution ahead', () => {
  it("one resolution, started from dpkg's status, with the facts of the read that waits for apt-cache", async () => {
    const status = statSync('/var/lib/dpkg/status').mtimeMs;
    const items: Items = [
      { args: { name: 'a', pkgs: [missing[0]!, 'dpkg'] }, aggregate: true },
      { args: { name: 'b', pkgs: [missing[1]!] }, aggregate: true },
      { args: { name: 'c', pkgs: ['coreutils'] }, aggregate: true },
    ];
    const ahead = await gather(items, true);
    const after = await gather(items, false);
    expect(ahead.calls).toEqual({ resolutions: 1, statusReads: 1 });
    expect(after.calls).toEqual({ resolutions: 1, statusReads: 0 });
    expect(ahead.facts).toEqual(after.facts);
    expect(ahead.facts[0]!.pkgs[missing[0]!]!.installed).toBeNull();
    expect(statSync('/var/lib/dpkg/status').mtimeMs).toBe(status);
  }, 120_000);

  it('a wrong guess (a package apt does not have) costs a resolution, not the answer', async () => {
    const items: Items = [
      { args: { name: 'a', pkgs: [missing[0]!] }, aggregate: true },
      { args: { name: 'b', pkgs: ['brine-no-such-package-x'] }, aggregate: true },
    ];
    const ahead = await gather(items, true);
    const after = await gather(items, false);
    // 2: the guess was made (1 only when apt-cache answered before the file was read: a loaded machine)
    expect([1, 2]).toContain(ahead.calls.resolutions);
    expect(ahead.calls.statusReads).toBe(1);
    expect(ahead.facts).toEqual(after.facts);
  }, 120_000);

  it('a pinned version: no guess, apt is asked after apt-cache answered', async () => {
    const items: Items = [
      { args: { name: 'a', pkgs: [missing[0]!] }, aggregate: true },
      { args: { name: 'b', pkgs: [{ [missing[1]!]: '0.0.0-brine' }] }, aggregate: true },
    ];
    const { calls } = await gather(items, true);
    expect(calls.statusReads).toBe(0);
  }, 120_000);
});
