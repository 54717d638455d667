// The local transport's command runner (local-helper.ts) against node's own spawn (local-spawn.ts):
// the same commands give the same exit code, stdout, stderr and timeout, each in its own process
// group; a slow command holds up no other; the helper ends with brine and shows no command.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalHelper } from '../../../engine/host/local-helper.js';
import { type LocalCommand, spawnCommand } from '../../../engine/host/local-spawn.js';
import { LocalHost } from '../../../engine/host/local.js';

const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
const helper = new LocalHelper();
afterAll(() => helper.close());

const cmd = (argv: string[], o: Partial<LocalCommand> = {}): LocalCommand => ({ argv, env: ENV, cwd: '/', ...o });
const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

async function same(c: LocalCommand) {
  const [a, b] = await Promise.all([helper.run(c), spawnCommand(c)]);
  expect(a).toEqual(b);
  return a;
}

describe('local command helper', () => {
  it('exit code, stdout and stderr exactly as from a spawn', async () => {
    const r = await same(cmd(['sh', '-c', 'printf "a\\n\\nb"; printf "err: %s\\n" "$1" >&2; exit 3', 'sh', 'x y']));
    expect(r).toMatchObject({ exitCode: 3, stdout: 'a\n\nb', stderr: 'err: x y\n', timedOut: false });
    await same(cmd(['true']));
    await same(cmd(['sh', '-c', 'exit 255']));
    // words with quotes, newlines and shell syntax reach the command as they are
    const words = ["it's", 'a\nb', '$(id)', '`x`', '"q"', ' ', '', '\\', '*'];
    expect((await same(cmd(['printf', '[%s]', ...words]))).stdout).toBe(words.map((w) => `[${w}]`).join(''));
  });

  it('the environment is exactly the given one; cwd, stdin and UTF-8 output as from a spawn', async () => {
    // the same variables (a shell's export order, not the spawn's: nothing reads environ in order)
    const env = { ...ENV, X_SECRETISH: "v'al\nue", PWD: '/given' };
    const sorted = (r: { stdout: string }) => r.stdout.split('\n').sort();
    const [a, b] = await Promise.all([helper.run(cmd(['env'], { env })), spawnCommand(cmd(['env'], { env }))]);
    expect(sorted(a)).toEqual(sorted(b));
    expect(sorted(a).filter(Boolean)).toEqual(
      Object.entries(env)
        .flatMap(([k, v]) => `${k}=${v}`.split('\n'))
        .sort(),
    );
    const inDir = cmd(['env'], { cwd: '/tmp' });
    expect(sorted(await helper.run(inDir))).toEqual(sorted(await spawnCommand(inDir)));
    expect((await same(cmd(['pwd'], { cwd: '/tmp' }))).stdout).toBe('/tmp\n');
    expect((await same(cmd(['sh', '-c', 'echo "$PWD"'], { cwd: '/usr' }))).stdout).toBe('/usr\n');
    expect((await same(cmd(['cat'], { stdin: 'in\nput' }))).stdout).toBe('in\nput');
    expect((await same(cmd(['cat'], { stdin: Buffer.from('bü\n') }))).stdout).toBe('bü\n');
    const big = cmd(['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do echo "zeile $i äöü €"; i=$((i + 1)); done']);
    expect((await same(big)).stdout.length).toBeGreaterThan(300_000);
    expect((await same(cmd(['runuser', '-u', 'nobody', '--', 'id', '-un']))).stdout).toBe('nobody\n');
  });

  it('a signal is 128+N; a timeout kills the whole process group (124)', async () => {
    expect((await same(cmd(['sh', '-c', 'kill -TERM $$']))).exitCode).toBe(143);
    const slow = cmd(['sh', '-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 400 });
    const t0 = Date.now();
    const [a, b] = await Promise.all([helper.run(slow), spawnCommand(slow)]);
    expect(Date.now() - t0).toBeLessThan(5000);
    for (const r of [a, b]) {
      expect(r).toMatchObject({ exitCode: 124, timedOut: true });
      expect(alive(Number(r.stdout.trim()))).toBe(false);
    }
    // with a timeout, its own session and process group; without, never brine's
    const own = await helper.run(cmd(['sh', '-c', 'echo $$; ps -o pgid=,sid= -p $$'], { timeoutMs: 5000 }));
    const [pid, ...ids] = own.stdout.trim().split(/\s+/).map(Number);
    expect(ids).toEqual([pid, pid]);
    const shared = await helper.run(cmd(['sh', '-c', 'ps -o pgid=,sid= -p $$']));
    expect(shared.stdout.trim().split(/\s+/).map(Number)).not.toContain(process.pid);
  });

  it('commands run side by side: a slow one holds up no other', async () => {
    const slow = helper.run(cmd(['sleep', '2']));
    const t0 = Date.now();
    await helper.run(cmd(['true']));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect((await slow).exitCode).toBe(0);
  });

  it('LocalHost runs through it, and a command that cannot start is reported as by a spawn', async () => {
    const host = new LocalHost();
    expect(await host.exec(['sh', '-c', 'echo e >&2; exit 7'])).toMatchObject({ exitCode: 7, stderr: 'e\n' });
    const missing = await host.exec(['no-such-command-xyz']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toBe((await spawnCommand(cmd(['no-such-command-xyz']))).stderr);
    const badCwd = await host.exec(['true'], { cwd: '/no/such/dir' });
    expect(badCwd.exitCode).toBe((await spawnCommand(cmd(['true'], { cwd: '/no/such/dir' }))).exitCode);
    await host.close();
  });

  it('ends with brine (even killed), removes its directory, and shows no command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brine-helper-test-'));
    const script = join(dir, 'child.mts');
    const mod = join(process.cwd(), 'engine/host/local-helper.ts');
    writeFileSync(
      script,
      `import { LocalHelper } from ${JSON.stringify(mod)};
const h = new LocalHelper();
await h.run({ argv: ['true'], env: { TOKEN: 's3cr3t-token' }, cwd: '/' });
void h.run({ argv: ['sh', '-c', 'sleep 20 # s3cr3t-token'], env: {}, cwd: '/' });
console.log(JSON.stringify(h.started));
setInterval(() => {}, 1000);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((res) => child.stdout.once('data', (d: Buffer) => res(d.toString())));
    const { pid, dir: work } = JSON.parse(line) as { pid: number; dir: string };
    expect(alive(pid)).toBe(true);
    expect(existsSync(work)).toBe(true);
    // nothing of a command in the helper's process list entry
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('s3cr3t');
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.includes('s3cr3t') && !l.includes('sleep 20'))).toEqual([]);
    child.kill('SIGKILL');
    for (let i = 0; i < 50 && (alive(pid) || existsSync(work)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
    expect(existsSync(work)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('local command helper: close', () => {
  it('waits for the commands it runs, then ends; a later command starts a new helper', async () => {
    const h = new LocalHelper();
    const slow = h.run(cmd(['sh', '-c', 'sleep 0.5; echo done']));
    const first = h.started!;
    // commands and their input stay in memory, readable by brine only
    if (existsSync('/dev/shm')) expect(first.dir.startsWith('/dev/shm/brine-run-')).toBe(true);
    expect(statSync(first.dir).mode & 0o777).toBe(0o700);
    await h.close();
    expect((await slow).stdout).toBe('done\n');
    for (let i = 0; i < 50 && (alive(first.pid) || existsSync(first.dir)); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(alive(first.pid)).toBe(false);
    expect(existsSync(first.dir)).toBe(false);
    expect((await h.run(cmd(['echo', 'again']))).stdout).toBe('again\n');
    expect(h.started!.pid).not.toBe(first.pid);
    await h.close();
  });

  it('a helper killed under its commands fails them with one line that names no command', async () => {
    const h = new LocalHelper();
    await h.run(cmd(['true']));
    const waiting = h.run(cmd(['sh', '-c', 'sleep 30 # s3cr3t']));
    // the helper's process group: it, its subshells and the commands without a timeout of their own
    await new Promise((r) => setTimeout(r, 200));
    process.kill(-h.started!.pid, 'SIGKILL');
    const e = await waiting.then(
      () => null,
      (err: Error) => err,
    );
    expect(e?.message).toBe('the local command runner ended unexpectedly');
  });
});
