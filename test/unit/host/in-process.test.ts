// Fact paths follow the Host's inProcess capability, not its name: in-process calls one by one,
// else one batched shell command.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.js';
import { LocalHost } from '../../../engine/host/local.js';
import { probePaths } from '../../../modules/file/probe.js';
import { readTexts } from '../../../modules/file/text.js';

/** A LocalHost under another name, counting exec and lstat calls. */
function counted(name: string, inProcess: boolean): { host: Host; calls: { exec: number; lstat: number } } {
  const local = new LocalHost();
  const calls = { exec: 0, lstat: 0 };
  const host = new Proxy(local, {
    get(t, p, r) {
      if (p === 'name') return name;
      if (p === 'inProcess') return inProcess;
      if (p === 'exec') calls.exec++;
      if (p === 'lstat') calls.lstat++;
      const v = Reflect.get(t, p, r);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  return { host, calls };
}

describe('host capability inProcess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brine-inproc-'));
  const files = ['a', 'b', 'c'].map((n) => join(dir, n));
  for (const f of files) writeFileSync(f, `${f}\n`);

  it('in-process: facts by calls, whatever the name', async () => {
    const { host, calls } = counted('root@example.org:22', true);
    const facts = await probePaths(host, files);
    expect([...facts.values()].map((f) => f.type)).toEqual(['file', 'file', 'file']);
    expect(await readTexts(host, files)).toEqual(files.map((f) => `${f}\n`));
    expect(calls.exec).toBe(0);
    expect(calls.lstat).toBeGreaterThanOrEqual(3);
  });

  it("not in-process: one batched command each, even when named 'local'", async () => {
    const { host, calls } = counted('local', false);
    const facts = await probePaths(host, files);
    expect([...facts.values()].map((f) => f.type)).toEqual(['file', 'file', 'file']);
    expect(await readTexts(host, files)).toEqual(files.map((f) => `${f}\n`));
    expect(calls).toEqual({ exec: 2, lstat: 0 });
  });
});
