// The scripts behind waves and coalesced reads (engine/host/ssh-ops.ts, ssh-coalesce.ts), run here
// with this machine's sh on a scratch directory: what SSH runs on a target, without the target.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HostOp } from '../../../engine/host/host.js';
import { COALESCE_COMMAND, decodeResults, encodeCommands } from '../../../engine/host/ssh-coalesce.js';
import { decodeOps, encodeOps, OPS_ARGV } from '../../../engine/host/ssh-ops.js';

let tarFrom: number | undefined;
let path: string | undefined;
async function runOps(groups: HostOp[][]) {
  const input = encodeOps(groups, undefined, { tarFrom });
  const env = path ? { PATH: path } : {};
  const r = await execa(OPS_ARGV[0]!, OPS_ARGV.slice(1), { input, reject: false, encoding: 'utf8', env });
  return decodeOps(groups, { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) });
}

const mode = (p: string) => statSync(p).mode & 0o7777;

describe.each([
  ['a dd and an mv per file', Number.POSITIVE_INFINITY],
  ['every write by tar', 1],
])('the batch script of waves, %s', (_, from) => {
  beforeEach(() => {
    tarFrom = from;
  });
  it(
    "writes files atomically with their modes (x and setgid bits too), keeps an old file's mode, makes dirs, in " +
      'order',
    async () => {
      const d = mkdtempSync(join(tmpdir(), 'brine-ops-'));
      writeFileSync(join(d, 'old'), 'before');
      const { chmodSync } = await import('node:fs');
      chmodSync(join(d, 'old'), 0o604);
      const bin = Buffer.from([0, 1, 2, 255, 10, 0]);
      const res = await runOps([
        [
          { op: 'mkdir', path: join(d, 'a/b'), mode: 0o750, recursive: true },
          { op: 'write', path: join(d, 'a/b/f'), data: Buffer.from('hello\n'), mode: 0o640 },
        ],
        [{ op: 'write', path: join(d, 'x'), data: bin, mode: 0o2755 }],
        [{ op: 'write', path: join(d, 'old'), data: Buffer.from('after') }],
        [{ op: 'write', path: join(d, 'empty'), data: Buffer.alloc(0), mode: 0o600 }],
        [
          { op: 'exec', argv: ['chmod', '700', join(d, 'a')] },
          { op: 'rename', from: join(d, 'empty'), to: join(d, 'moved') },
        ],
      ]);
      expect(res).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }, { ok: true }]);
      expect(readFileSync(join(d, 'a/b/f'), 'utf8')).toBe('hello\n');
      expect([
        mode(join(d, 'a/b')),
        mode(join(d, 'a/b/f')),
        mode(join(d, 'x')),
        mode(join(d, 'old')),
        mode(join(d, 'moved')),
        mode(join(d, 'a')),
      ]).toEqual([0o750, 0o640, 0o2755, 0o604, 0o600, 0o700]);
      expect(readFileSync(join(d, 'x'))).toEqual(bin);
      expect(readFileSync(join(d, 'old'), 'utf8')).toBe('after');
      expect(readdirSync(d).filter((n) => n.includes('.brine-'))).toEqual([]);
    },
  );

  it(
    'a failing op stops its group only (its file data is skipped, the stream stays in step); no temp file is ' + 'left',
    async () => {
      const d = mkdtempSync(join(tmpdir(), 'brine-ops-'));
      writeFileSync(join(d, 'afile'), '');
      symlinkSync('/nonexistent-brine', join(d, 'dangling'));
      const res = await runOps([
        [
          { op: 'mkdir', path: join(d, 'afile/sub'), recursive: true },
          { op: 'write', path: join(d, 'afile/sub/x'), data: Buffer.from('lost') },
        ],
        [{ op: 'write', path: join(d, 'dangling/y'), data: Buffer.from('y'.repeat(5000)) }],
        [{ op: 'write', path: join(d, 'ok'), data: Buffer.from('fine'), mode: 0o644 }],
        [
          { op: 'exec', argv: ['false'] },
          { op: 'write', path: join(d, 'never'), data: Buffer.from('n') },
        ],
      ]);
      expect(res[0]).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^mkdir .*afile\/sub: .*(Not a directory|File exists)/),
      });
      expect(res[1]).toMatchObject({ ok: false, error: expect.stringMatching(/^write .*dangling\/y: /) });
      expect(res[2]).toEqual({ ok: true });
      expect(res[3]).toMatchObject({ ok: false, error: expect.stringMatching(/^`false`: /) });
      expect(readFileSync(join(d, 'ok'), 'utf8')).toBe('fine');
      expect(readdirSync(d).sort()).toEqual(['afile', 'dangling', 'ok']);
    },
  );

  it("a command after a file op runs with the stream's own umask, not the file op's", async () => {
    const d = mkdtempSync(join(tmpdir(), 'brine-ops-'));
    writeFileSync(join(d, 'old'), 'before'); // rewritten without a mode: the write's umask is 077
    const res = await runOps([
      [{ op: 'write', path: join(d, 'old'), data: Buffer.from('after') }],
      [{ op: 'exec', argv: ['sh', '-c', 'touch made'], cwd: d, output: true } as HostOp],
    ]);
    expect(res[1]).toMatchObject({ ok: true, outputs: [{ exitCode: 0 }] });
    const um = process.umask();
    expect(mode(join(d, 'made'))).toBe(0o666 & ~um);
  });

  it(
    "runs commands with their env and cwd and returns each one's exit code and output; guards see " +
      'earlier ops and skip the rest of their group',
    async () => {
      const d = mkdtempSync(join(tmpdir(), 'brine-ops-'));
      const cmd = (name: string, more: Partial<HostOp> = {}): HostOp =>
        ({ op: 'exec', argv: ['sh', '-c', name], output: true, ...more }) as HostOp;
      const guard = (g: { onlyif?: string[]; unless?: string[]; creates?: string[]; cwd?: string }): HostOp => ({
        op: 'guard',
        onlyif: g.onlyif ?? [],
        unless: g.unless ?? [],
        creates: g.creates ?? [],
        ...(g.cwd ? { cwd: g.cwd } : {}),
      });
      const res = await runOps([
        [{ op: 'write', path: join(d, 'made'), data: Buffer.from('x') }],
        // creates: written by the group before
        [guard({ creates: [join(d, 'made')] }), cmd('touch never-1', { cwd: d })],
        // a multi-line command with env and cwd, its binary-free output and stderr, a non-zero exit
        [
          guard({ unless: ['test -e ran'], cwd: d }),
          cmd('echo "$V"; pwd\necho oops >&2; touch ran; exit 3', {
            env: { V: "it's v" },
            cwd: d,
          }),
        ],
        // unless that became true through the command before it
        [guard({ unless: ['test -e ran'], cwd: d }), cmd('touch never-2', { cwd: d })],
        [guard({ onlyif: ['true', 'false', 'touch never-3'] }), cmd('touch never-4', { cwd: d })],
        [guard({ onlyif: ['true'], unless: ['true', 'false'] }), cmd('exit 124', { timeoutMs: 5000 })],
        [cmd('sleep 5', { timeoutMs: 300 })],
      ]);
      expect(res[0]).toEqual({ ok: true });
      expect(res[1]).toEqual({ ok: true, skipped: { kind: 'creates' } });
      expect(res[2]).toMatchObject({
        ok: true,
        outputs: [{ exitCode: 3, stdout: `it's v\n${d}\n`, stderr: 'oops\n', durationMs: expect.any(Number) }],
      });
      expect(res[3]).toEqual({ ok: true, skipped: { kind: 'unless' } });
      expect(res[4]).toEqual({ ok: true, skipped: { kind: 'onlyif', index: 1 } });
      // a command that exits 124 by itself did not time out; one its timeout ended did
      expect(res[5]).toMatchObject({ ok: true, outputs: [{ exitCode: 124 }] });
      expect((res[5] as { outputs: { timedOut?: boolean }[] }).outputs[0]!.timedOut).toBeUndefined();
      expect(res[6]).toMatchObject({ ok: true, outputs: [{ exitCode: 124, timedOut: true }] });
      expect(readdirSync(d).sort()).toEqual(['made', 'ran']);
    },
  );

  it('groups the script did not reach fail with its error', () => {
    const g: HostOp[][] = [[{ op: 'remove', path: '/a' }], [{ op: 'remove', path: '/b' }]];
    expect(decodeOps(g, { exitCode: 255, stdout: 'K\n', stderr: 'connection lost' })).toEqual([
      { ok: true },
      { ok: false, op: g[1]![0], error: 'the batch stopped before remove /b: connection lost' },
    ]);
  });
});

/** A PATH of this machine's programs without rename.ul, or with one that fails and renames nothing. */
function pathWithout(failing: boolean): string {
  const bin = mkdtempSync(join(tmpdir(), 'brine-path-'));
  for (const n of readdirSync('/usr/bin')) if (n !== 'rename.ul') symlinkSync(join('/usr/bin', n), join(bin, n));
  if (failing) {
    writeFileSync(join(bin, 'rename.ul'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'rename.ul'), 0o755);
  }
  return bin;
}

describe.each([
  ['rename.ul', () => undefined],
  ['an mv per directory (no rename.ul)', () => pathWithout(false)],
  ['an mv per file (rename.ul fails)', () => pathWithout(true)],
])('the files of a wave by one tar, renamed by %s', (_, bin) => {
  beforeEach(() => {
    tarFrom = undefined;
    path = bin();
    return () => {
      path = undefined;
    };
  });

  it(
    'stages every file next to its target, sets modes and owners there (setuid after chown), renames them per ' +
      'directory, fails only the groups whose step fails, and leaves no staging directory',
    async () => {
      const d = mkdtempSync(join(tmpdir(), 'brine-tar-'));
      writeFileSync(join(d, 'old'), 'before');
      chmodSync(join(d, 'old'), 0o604);
      mkdirSync(join(d, 'adir'));
      const w = (path: string, data: string, o: Partial<HostOp & { op: 'write' }> = {}): HostOp => ({
        op: 'write',
        path: join(d, path),
        data: Buffer.from(data),
        ...o,
      });
      const res = await runOps([
        [{ op: 'mkdir', path: join(d, 'a'), mode: 0o750, recursive: true }],
        [{ op: 'mkdir', path: join(d, 'b/deep'), mode: 0o750, recursive: true }],
        [w('a/1', 'one', { mode: 0o644 })],
        [w('a/2', 'two', { mode: 0o600, owner: 'nobody', group: 'nogroup' })],
        [w('b/deep/3', 'three', { mode: 0o4755, owner: 'nobody' })],
        [w('old', 'after')],
        [w('missing/x', 'lost', { mode: 0o644 })],
        [w('adir', 'not over a directory', { mode: 0o644 })],
        [w('a/5', 'five', { mode: 0o640 }), w('a/6', 'six', { mode: 0o640 })],
        [{ op: 'mkdir', path: join(d, 'c'), mode: 0o700, recursive: true }, w('c/7', 'seven', { mode: 0o600 })],
        [w('a/8', 'x', { owner: 'no-such-user-brine' })],
        [{ op: 'exec', argv: ['touch', join(d, 'after')] }],
      ]);
      expect(res.map((r) => r.ok)).toEqual([true, true, true, true, true, true, false, false, true, true, false, true]);
      expect(res[6]).toMatchObject({
        error: expect.stringMatching(/^write .*missing\/x: .*No such file or directory/),
      });
      expect(res[7]).toMatchObject({ error: expect.stringMatching(/^write .*adir: .*directory/) });
      expect(res[10]).toMatchObject({ error: expect.stringMatching(/^write .*a\/8: .*no-such-user-brine/) });
      const st = (p: string) => statSync(join(d, p));
      expect(
        ['a', 'b/deep', 'a/1', 'a/2', 'b/deep/3', 'old', 'a/5', 'a/6', 'c', 'c/7'].map((p) => mode(join(d, p))),
      ).toEqual([0o750, 0o750, 0o644, 0o600, 0o4755, 0o604, 0o640, 0o640, 0o700, 0o600]);
      expect([st('a/2').uid, st('b/deep/3').uid].every((u) => u !== 0)).toBe(true);
      expect(
        ['a/1', 'a/2', 'b/deep/3', 'old', 'a/5', 'a/6', 'c/7'].map((p) => readFileSync(join(d, p), 'utf8')),
      ).toEqual(['one', 'two', 'three', 'after', 'five', 'six', 'seven']);
      expect(existsSync(join(d, 'missing'))).toBe(false);
      expect(existsSync(join(d, 'a/8'))).toBe(false);
      expect(existsSync(join(d, 'after'))).toBe(true);
      const left = execaSync('find', [d, '-name', '*.brine-*']).stdout;
      expect(left).toBe('');
    },
  );

  it(
    'a long record (read at once) of many directories and odd names, one failing group among them, and a long ' +
      'command after it',
    async () => {
      const d = mkdtempSync(join(tmpdir(), 'brine-tar-'));
      const names = ['plain', 'with space', "it's", ' lead', 'trail ', 'back\\slash', '-dash', '.dot', 'é'];
      const groups: HostOp[][] = [];
      for (let i = 0; i < 12; i++)
        groups.push([{ op: 'mkdir', path: join(d, `dir ${i}`), mode: 0o755, recursive: true }]);
      const want: [string, string][] = [];
      for (let i = 0; i < 12; i++)
        for (const n of names) {
          const p = join(d, `dir ${i}`, n);
          want.push([p, `${i}:${n}\n`]);
          groups.push([{ op: 'write', path: p, data: Buffer.from(`${i}:${n}\n`), mode: 0o640 }]);
        }
      groups.push([{ op: 'write', path: join(d, 'nodir/x'), data: Buffer.from('x'), mode: 0o644 }]);
      const long = `echo ${'y'.repeat(3000)} | wc -c`;
      groups.push([{ op: 'exec', argv: ['sh', '-c', long], output: true }]);
      const res = await runOps(groups);
      expect(res.slice(0, -2).every((r) => r.ok)).toBe(true);
      expect(res.at(-2)).toMatchObject({ ok: false, error: expect.stringMatching(/nodir\/x: .*No such file/) });
      expect(res.at(-1)).toMatchObject({ ok: true, outputs: [{ exitCode: 0, stdout: '3001\n', stderr: '' }] });
      for (const [p, text] of want) {
        expect(readFileSync(p, 'utf8')).toBe(text);
        expect(mode(p)).toBe(0o640);
      }
      expect(execaSync('find', [d, '-name', '*.brine-*']).stdout).toBe('');
    },
  );

  it('a directory tar cannot write into fails its files only; the others land whole', async () => {
    const d = mkdtempSync(join(tmpdir(), 'brine-tar-'));
    mkdirSync(join(d, 'locked'));
    mkdirSync(join(d, 'open'));
    await execa('chattr', ['+i', join(d, 'locked')]);
    try {
      const big = Buffer.alloc(300_000, 7);
      const res = await runOps([
        [{ op: 'write', path: join(d, 'open/a'), data: big, mode: 0o644 }],
        [{ op: 'write', path: join(d, 'locked/b'), data: Buffer.from('b'), mode: 0o644 }],
        [{ op: 'write', path: join(d, 'open/c'), data: Buffer.from('c'), mode: 0o644 }],
        [{ op: 'remove', path: join(d, 'open/c') }],
      ]);
      expect(res.map((r) => r.ok)).toEqual([true, false, true, true]);
      expect(res[1]).toMatchObject({
        error: expect.stringMatching(/^write .*locked\/b: tar: .*locked\/\.brine-stage-[0-9a-f]{12}\/b: Cannot open/),
      });
      expect(readFileSync(join(d, 'open/a'))).toEqual(big);
      expect(readdirSync(join(d, 'open'))).toEqual(['a']);
      expect(readdirSync(join(d, 'locked'))).toEqual([]);
    } finally {
      await execa('chattr', ['-i', join(d, 'locked')]);
    }
  }, 60_000);
});

describe('coalesced read-only commands', () => {
  it('runs each command with its own stdin and returns its exit code, stdout and stderr', async () => {
    const cmds = [
      { command: "sh -c 'cat; echo out'", stdin: 'in-1\n' },
      { command: "sh -c 'echo err >&2; exit 3'" },
      { command: "printf '\\000\\001'" },
    ];
    const r = await execa('sh', ['-c', COALESCE_COMMAND], {
      input: encodeCommands(cmds),
      encoding: 'buffer',
      reject: false,
    });
    const res = decodeResults(Buffer.from(r.stdout), 3)!;
    expect(res.map((x) => [x.exitCode, x.stdout.toString('latin1'), x.stderr])).toEqual([
      [0, 'in-1\nout\n', ''],
      [3, '', 'err\n'],
      [0, '\u0000\u0001', ''],
    ]);
    expect(decodeResults(Buffer.from('0\n5\n0\nabc'), 1)).toBeNull(); // cut short
  });

  async function coalesce(cmds: { command: string; stdin?: string | Buffer }[], env: Record<string, string> = {}) {
    const r = await execa('sh', ['-c', COALESCE_COMMAND], {
      input: encodeCommands(cmds),
      encoding: 'buffer',
      reject: false,
      stripFinalNewline: false,
      env,
    });
    expect(r.exitCode).toBe(0);
    return decodeResults(Buffer.from(r.stdout), cmds.length)!;
  }

  it('keeps binary stdin and large outputs whole, reports a signal as 128+N, leaves no temp dir', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'brine-coalesce-'));
    const bin = Buffer.from([0, 1, 2, 255, 10, 0]);
    const res = await coalesce(
      [
        { command: 'od -An -tx1', stdin: bin },
        { command: 'head -c 300000 /dev/zero; echo done >&2' },
        { command: "sh -c 'kill -TERM $$'" },
        { command: 'cat', stdin: '' },
        { command: 'cat', stdin: "it's\nthe last\n" },
      ],
      { TMPDIR: tmp },
    );
    expect(res.map((x) => x.exitCode)).toEqual([0, 0, 143, 0, 0]);
    expect(res[0]!.stdout.toString().trim()).toBe('00 01 02 ff 0a 00');
    expect(res[1]!.stdout.equals(Buffer.alloc(300000))).toBe(true);
    expect(res[1]!.stderr).toBe('done\n');
    expect(res[3]!.stdout.length).toBe(0);
    expect(res[4]!.stdout.toString()).toBe("it's\nthe last\n");
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('runs the commands side by side, each with the environment it was given', async () => {
    const t0 = Date.now();
    const res = await coalesce([
      ...Array.from({ length: 6 }, (_, i) => ({ command: `sleep 1; echo ${i}` })),
      { command: `X='a b' exec sh -c 'echo "[$X][$1]"' sh "it's"` },
    ]);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(res.map((x) => x.stdout.toString())).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n', '5\n', "[a b][it's]\n"]);
  });
});
