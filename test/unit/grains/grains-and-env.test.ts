// The push's first round trip: grains, the env's files and the platform probe in one exec, each
// part the same as when read on its own.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGrainsAndEnv } from '../../../engine/grains-and-env.js';
import { readGrains } from '../../../engine/grains.js';
import { DRIVE_LABELS, probePlatform } from '../../../engine/env/sources/platform.js';
import { LocalHost } from '../../../engine/host/local.js';
import type { ExecOptions, ExecResult, Host } from '../../../engine/host/host.js';

function counting(local: LocalHost): { host: Host; calls: () => number } {
  let n = 0;
  const host = new Proxy(local, {
    get(t, p) {
      if (p === 'exec')
        return (argv: string[], o?: ExecOptions): Promise<ExecResult> => {
          n++;
          return t.exec(argv, o);
        };
      if (p === 'readFile')
        return (path: string) => {
          n++;
          return t.readFile(path);
        };
      return Reflect.get(t, p);
    },
  }) as Host;
  return { host, calls: () => n };
}

describe('readGrainsAndEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brine-first-read-'));
  const env = join(dir, 'env.yml');
  const bare = join(dir, 'bare.yml');
  const empty = join(dir, 'empty.yml');
  const sub = join(dir, 'a-directory');
  writeFileSync(env, 'appliance:\n  domain: example.org\n\n');
  writeFileSync(bare, 'motd: no newline at the end');
  writeFileSync(empty, '');
  mkdirSync(sub);
  const missing = join(dir, 'missing.yml');

  it('reads grains, the files and the probe in one exec, as the separate reads do', async () => {
    const local = new LocalHost();
    const { host, calls } = counting(local);
    const r = await readGrainsAndEnv(host, { files: [env, missing, bare, empty], probeLabels: DRIVE_LABELS });
    expect(calls()).toBe(1);
    const alone = await readGrains(local);
    expect(r.grains).toEqual(alone);
    for (const f of [env, missing, bare, empty]) expect(await r.read(f)).toEqual(await local.readFile(f));
    expect((await r.read(env))!.toString()).toBe('appliance:\n  domain: example.org\n\n');
    expect(await r.read(missing)).toBeNull();
    expect(calls()).toBe(1);
    expect(await r.platform).toEqual(await probePlatform(local));
  });

  it('reads again the ordinary way what it could not read plainly, and files it was not asked for', async () => {
    const local = new LocalHost();
    const { host, calls } = counting(local);
    const r = await readGrainsAndEnv(host, { files: [sub] });
    expect(r.platform).toBeUndefined();
    expect(calls()).toBe(1);
    const direct = await local.readFile(sub).then(
      (b) => ({ ok: b }),
      (e: Error) => ({ err: e.message }),
    );
    const via = await r.read(sub).then(
      (b) => ({ ok: b }),
      (e: Error) => ({ err: e.message }),
    );
    expect(via).toEqual(direct);
    expect(calls()).toBe(2);
    expect((await r.read(bare))!.toString()).toBe('motd: no newline at the end');
    expect(calls()).toBe(3);
  });

  it('fails like readGrains when the script cannot run', async () => {
    const broken = new Proxy(new LocalHost(), {
      get(t, p) {
        if (p === 'exec')
          return async (argv: string[]): Promise<ExecResult> => ({
            argv,
            exitCode: 127,
            stdout: '',
            stderr: 'sh: not found',
          });
        return Reflect.get(t, p);
      },
    }) as Host;
    await expect(readGrainsAndEnv(broken, { files: [env] })).rejects.toThrow(
      /could not read grains \(exit 127\): sh: not found/,
    );
  });
});
