// The ssh command session's loop (ssh-session.ts) run by a real sh, as sshd would run it: frames one
// after the other over one stdin, each command's output and status whole, the run lock kept by the
// session's shell until released or the session ends.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../../engine/errors.js';
import type { HostOp } from '../../../engine/host/host.js';
import { SESSION_LOCK_BODY } from '../../../engine/host/run-lock.js';
import { buildCommand, inlineCommand } from '../../../engine/host/ssh-command.js';
import { asRoot, decodeOps, encodeOps, OPS_BODY } from '../../../engine/host/ssh-ops.js';
import {
  aloneFrame,
  batchFrame,
  CommandSession,
  decodeBatch,
  inlineBatchFrame,
  newMarker,
  opsFrame,
  type SessionChannel,
  sessionScript,
} from '../../../engine/host/ssh-session.js';

const cmd = (script: string, ...args: string[]) =>
  buildCommand(['sh', '-c', script, 'sh', ...args], {}, { loginUser: 'root', timeoutMs: 20_000 });

function start(first: string): { session: CommandSession; child: ChildProcessWithoutNullStreams; ended: string[] } {
  const marker = newMarker();
  const child = spawn('sh', ['-c', sessionScript(SESSION_LOCK_BODY, OPS_BODY), 'sh', marker, first]);
  child.stdin.on('error', () => {}); // a killed session's pipe
  const ch: SessionChannel = {
    on(ev: string, cb: (d: Buffer) => void) {
      if (ev === 'data') child.stdout.on('data', cb);
      else child.on('close', () => (cb as () => void)());
      return ch;
    },
    stderr: { on: (_ev: string, cb: (d: Buffer) => void) => child.stderr.on('data', cb) },
    write: (d: string | Buffer) => child.stdin.write(d),
    end: () => child.stdin.end(),
    close: () => child.kill('SIGKILL'),
  };
  const ended: string[] = [];
  const session = new CommandSession(
    marker,
    Promise.resolve(ch),
    (why) => new TransportError('target', why),
    { timeoutMs: 20_000 },
    (why) => ended.push(why),
  );
  return { session, child, ended };
}

const flockFree = (path: string) => spawnSync('flock', ['-n', path, 'true']).status === 0;

describe('ssh command session', () => {
  it('runs frames one after the other on one shell, each output and status whole', async () => {
    const { session, child } = start(aloneFrame(cmd('printf "a\\0b"; echo oops >&2; exit 3')));
    const first = await session.firstResult;
    expect(first).toEqual({ exitCode: 3, stdout: Buffer.from('a\0b'), stderr: 'oops\n' });
    // a command reading stdin gets none (the frames after it stay the session's)
    const [cat, tail] = await Promise.all([
      session.run(aloneFrame(cmd('cat; echo "$1"', "it's")), 0),
      session.run(aloneFrame(cmd('printf "no newline"')), 0),
    ]);
    expect(cat.stdout.toString()).toBe("it's\n");
    expect(tail).toEqual({ exitCode: 0, stdout: Buffer.from('no newline'), stderr: '' });
    const pid = await session.run(aloneFrame(cmd('echo $PPID')), 0);
    expect(Number(pid.stdout.toString())).not.toBe(child.pid); // a subshell's child, not the loop
    await session.close();
    expect(child.exitCode).toBe(0);
  });

  it('runs a batch side by side and splits its outputs per command', async () => {
    const { session } = start(':');
    await session.firstResult;
    const cmds = [cmd('sleep 0.3; printf "x\\0y\\n"'), cmd('echo err >&2; exit 7'), cmd('printf ""')];
    const t0 = Date.now();
    const r = await session.run(batchFrame(cmds), 20_000);
    const res = decodeBatch(r.stdout, session.marker, cmds.length);
    expect(r.exitCode).toBe(0);
    expect(res).toEqual([
      { exitCode: 0, stdout: Buffer.from('x\0y\n'), stderr: '' },
      { exitCode: 7, stdout: Buffer.alloc(0), stderr: 'err\n' },
      { exitCode: 0, stdout: Buffer.alloc(0), stderr: '' },
    ]);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(decodeBatch(r.stdout.subarray(0, r.stdout.length - 3), session.marker, 4)).toBeNull();
    // the outputs' directory goes with the session
    const dir = (await session.run('printf %s "$brine_d"', 0)).stdout.toString();
    expect(existsSync(dir)).toBe(true);
    await session.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('runs a batch of inline commands under one timeout, each with its env, cwd and arguments', async () => {
    const { session } = start(':');
    await session.firstResult;
    const inl = (argv: string[], o = {}) => inlineCommand(argv, o, 'root')!;
    const cmds = [
      inl(['sh', '-c', 'printf "%s|%s|%s|%s" "$1" "$2" "$FOO" "$PWD"', 'sh', "it's", 'a b'], {
        env: { FOO: 'x y' },
        cwd: '/tmp',
      }),
      inl(['printf', 'a\\0b']),
      inl(['sh', '-c', 'echo no >&2; exit 5']),
    ];
    const r = await session.run(inlineBatchFrame(cmds, 20), 20_000);
    expect(decodeBatch(r.stdout, session.marker, 3)).toEqual([
      { exitCode: 0, stdout: Buffer.from("it's|a b|x y|/tmp"), stderr: '' },
      { exitCode: 0, stdout: Buffer.from('a\0b'), stderr: '' },
      { exitCode: 5, stdout: Buffer.alloc(0), stderr: 'no\n' },
    ]);
    expect(inlineCommand(['id'], { user: 'nobody' }, 'root')).toBeNull();
    // the batch's timeout ends the hung command (124) and keeps what the others said
    const t0 = Date.now();
    const hung = await session.run(inlineBatchFrame([inl(['sleep', '30']), inl(['echo', 'quick'])], 1), 20_000);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(decodeBatch(hung.stdout, session.marker, 2)).toEqual([
      { exitCode: 124, stdout: Buffer.alloc(0), stderr: '' },
      { exitCode: 0, stdout: Buffer.from('quick\n'), stderr: '' },
    ]);
    // the hung one between two that ended: each keeps its own status
    const mid = await session.run(
      inlineBatchFrame([inl(['sh', '-c', 'exit 3']), inl(['sleep', '30']), inl(['echo', 'last'])], 1),
      20_000,
    );
    expect(decodeBatch(mid.stdout, session.marker, 3)?.map((x) => x.exitCode)).toEqual([3, 124, 0]);
    await session.close();
  });

  it('holds the run lock in its own shell until released, and frees it when it ends', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'brine-session-lock-')), 'brine.lock');
    const { session, ended } = start(':');
    const lines: string[] = [];
    const took = await session.run(`brine_lock ${lock} 0 'pid 1 on test'`, 0, (l) => lines.push(l));
    expect(took.exitCode).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^locked \d+$/), 'ready']);
    expect(readFileSync(lock, 'utf8')).toBe('pid 1 on test\n');
    // commands run after it do not keep the lock's descriptor
    await session.run(aloneFrame(cmd('sleep 5 >/dev/null 2>&1 & echo started')), 0);
    expect(flockFree(lock)).toBe(false);
    // a second session cannot take it and says who holds it
    const other = start(':');
    const busy: string[] = [];
    const refused = await other.session.run(`brine_lock ${lock} 0 'pid 2'`, 0, (l) => busy.push(l));
    expect(refused.exitCode).toBe(4);
    expect(busy).toEqual(['busy pid 1 on test', 'timeout pid 1 on test']);
    await other.session.close();
    await session.run('[ -z "$brine_l" ] || : > "$brine_l"; brine_l=; exec 9>&-', 0);
    expect(flockFree(lock)).toBe(true);
    expect(readFileSync(lock, 'utf8')).toBe('');
    // taken again, then the session's end (EOF: the host closed, the connection dropped) frees it
    expect((await session.run(`brine_lock ${lock} 0 'pid 1 again'`, 0)).exitCode).toBe(0);
    expect(flockFree(lock)).toBe(false);
    await session.close();
    expect(flockFree(lock)).toBe(true);
    expect(readFileSync(lock, 'utf8')).toBe('');
    expect(ended).toHaveLength(1);
  });

  it('a session that dies fails its waiting frame with the reason', async () => {
    const { session, child, ended } = start(':');
    await session.firstResult;
    const pending = session.run(aloneFrame(cmd('sleep 10')), 0);
    child.kill('SIGKILL');
    await expect(pending).rejects.toThrow(/the command session ended/);
    await expect(session.run(':', 0)).rejects.toBeInstanceOf(TransportError);
    expect(ended).toEqual(['the command session ended']);
  });

  it('applies op streams in the session: files (tar, one by one) and commands, then frames as before', async () => {
    const d = mkdtempSync(join(tmpdir(), 'brine-session-ops-'));
    const { session } = start(':');
    await session.firstResult;
    const groups: HostOp[][] = [
      [
        { op: 'mkdir', path: join(d, 'a'), mode: 0o750, recursive: true },
        { op: 'write', path: join(d, 'a/f'), data: Buffer.from('one\n'), mode: 0o640 },
      ],
      [{ op: 'write', path: join(d, 'g'), data: Buffer.from([0, 1, 255, 10]), mode: 0o600 }],
      [{ op: 'write', path: join(d, 'h'), data: Buffer.from('three') }],
    ];
    const ops = async (g: HostOp[][], tarFrom: number) => {
      const stream = encodeOps(g, asRoot(20_000), { tarFrom });
      return decodeOps(g, await session.run(opsFrame(stream.length), 20_000, undefined, stream), 20_000);
    };
    expect(await ops(groups, 1)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await ops([[{ op: 'write', path: join(d, 'h'), data: Buffer.from('again') }]], 3)).toEqual([{ ok: true }]);
    expect(readFileSync(join(d, 'a/f'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(d, 'g'))).toEqual(Buffer.from([0, 1, 255, 10]));
    expect(readFileSync(join(d, 'h'), 'utf8')).toBe('again');
    expect([statSync(join(d, 'a')).mode & 0o777, statSync(join(d, 'a/f')).mode & 0o777]).toEqual([0o750, 0o640]);
    const cmds: HostOp[][] = [
      [{ op: 'exec', argv: ['sh', '-c', 'sleep 0.2; echo out; echo err >&2; exit 3'], output: true }],
      [{ op: 'exec', argv: ['sh', '-c', 'cat; printf x >> "$1"', 'sh', join(d, 'h')], output: true }],
    ];
    const [slow, cat] = await ops(cmds, 3);
    expect(slow).toMatchObject({ ok: true, outputs: [{ exitCode: 3, stdout: 'out\n', stderr: 'err\n' }] });
    // a command's duration is measured on the target
    expect(slow!.outputs![0]!.durationMs).toBeGreaterThanOrEqual(150);
    // a command reads no stdin of the stream's or the session's
    expect(cat).toMatchObject({ ok: true, outputs: [{ exitCode: 0, stdout: '' }] });
    expect(readFileSync(join(d, 'h'), 'utf8')).toBe('againx');
    expect(readdirSync(d).filter((n) => n.includes('.brine-'))).toEqual([]);
    const after = await session.run(aloneFrame(cmd('echo still here')), 0);
    expect(after).toEqual({ exitCode: 0, stdout: Buffer.from('still here\n'), stderr: '' });
    await session.close();
  });

  it('reads away the rest of a stream its script stopped reading: nothing of it runs as a frame', async () => {
    const d = mkdtempSync(join(tmpdir(), 'brine-session-ops-'));
    const { session, ended } = start(':');
    await session.firstResult;
    // a record the script refuses, then what would be frames running a command (more than a pipe holds)
    const stream = Buffer.from(`G\nZ\n${`1\ntouch ${join(d, 'ran')}\n`.repeat(8000)}`);
    const r = await session.run(opsFrame(stream.length), 20_000, undefined, stream);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('bad op: Z');
    const after = await session.run(aloneFrame(cmd('echo in step')), 0);
    expect(after.stdout.toString()).toBe('in step\n');
    expect(existsSync(join(d, 'ran'))).toBe(false);
    expect(ended).toEqual([]);
    await session.close();
  });

  it('takes a long frame whole (one head -c) and runs the frames after it as before', async () => {
    const { session } = start(':');
    await session.firstResult;
    // over 4 KiB, with multi-byte characters and a line longer than the rest
    const word = 'ä€'.repeat(700);
    const long = aloneFrame(cmd(`printf '%s\\n' "$1" "$2"; printf "%s" "$3" | wc -c`, word, 'x'.repeat(3000), word));
    expect(Buffer.byteLength(long)).toBeGreaterThan(4096);
    const [a, b] = await Promise.all([session.run(long, 20_000), session.run(aloneFrame(cmd('echo after')), 0)]);
    expect(a.exitCode).toBe(0);
    expect(a.stdout.toString()).toBe(`${word}\n${'x'.repeat(3000)}\n${Buffer.byteLength(word)}\n`);
    expect(b.stdout.toString()).toBe('after\n');
    await session.close();
  });

  it('does not run a long frame cut short: the session ends instead', async () => {
    const { session, child, ended } = start(':');
    await session.firstResult;
    const d = mkdtempSync(join(tmpdir(), 'brine-session-'));
    const body = `touch ${d}/ran\n# ${'x'.repeat(5000)}\n#${session.marker}`;
    // the frame says its length, half of it arrives, then the connection is gone
    child.stdin.end(`b${Buffer.byteLength(body)}\n${body.slice(0, 2000)}`);
    await new Promise((r) => child.once('close', r));
    expect(existsSync(join(d, 'ran'))).toBe(false);
    expect(child.exitCode).toBe(0);
    expect(ended).toEqual(['the command session ended']);
  });
});
