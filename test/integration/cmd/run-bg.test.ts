// cmd.run `bg: True` on the local host, as Salt's cmd.run_bg: the state is done (result true, the
// pid) while the command still runs; the command outlives the state and does its work; a failing
// command is still a started one (Salt does not wait for its exit code); stdin is refused.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { run, wait } from '../../../modules/cmd/run.js';
import { testCtx } from '../../support/checkapply.js';

const dir = mkdtempSync(join(tmpdir(), 'brine-cmdbg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const host = new LocalHost();
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const until = async (f: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!f() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return f();
};

describe('cmd.run bg: True', () => {
  it('returns at once with the pid; the command keeps running and finishes its work', async () => {
    const out = join(dir, 'done');
    const args = { name: `sleep 2; echo "$GREETING" > ${out}`, bg: true, env: { GREETING: 'hi' } };
    const ctx = testCtx(args);
    const planned = run.plan(args, null, ctx);
    expect(planned).toEqual([{ op: 'run', target: args.name }]);
    const t0 = Date.now();
    const res = await run.apply(host, planned, { ...ctx, facts: null });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(res).toMatchObject({ result: true, comment: `Command "${args.name}" started in the background` });
    const pid = (res as { data: { pid: number } }).data.pid;
    expect(alive(pid)).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(await until(() => existsSync(out), 10_000)).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('hi\n');
    expect(await until(() => !alive(pid), 5_000)).toBe(true);
  });

  it('a command that fails is still started (no exit code is waited for); without bg it fails', async () => {
    const args = { name: 'exit 3', bg: true, cwd: dir };
    const ctx = testCtx(args);
    expect(await run.apply(host, run.plan(args, null, ctx), { ...ctx, facts: null })).toMatchObject({ result: true });
    const fg = { name: 'exit 3' };
    const fctx = testCtx(fg);
    expect(await run.apply(host, run.plan(fg, null, fctx), { ...fctx, facts: null })).toMatchObject({
      result: false,
    });
  });

  it('cmd.wait with bg starts the command on refresh', async () => {
    const out = join(dir, 'waited');
    const args = { name: `touch ${out}`, bg: true };
    expect(wait.plan(args, null, testCtx(args))).toEqual([]);
    const res = await wait.refresh!(host, args, testCtx(args));
    expect(res).toMatchObject({ result: true });
    expect(await until(() => existsSync(out), 10_000)).toBe(true);
  });

  it('refuses stdin with bg, naming the state', () => {
    const args = { name: 'cat', bg: true, stdin: 'x' };
    expect(() => run.plan(args, null, testCtx(args))).toThrow('cat: stdin cannot be used with bg: True');
  });
});
