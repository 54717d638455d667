// The local transport's command runner: ONE small `sh` started once per host, which starts each
// command for brine. node forks its whole process (100+ MB) for every spawn and its main thread
// waits until the child has exec'd, so a run's dozens of probes (systemctl, psql, dpkg-query, locale
// reads...) block its event loop for most of a second; the helper's forks are cheap and on its own
// time. Each command runs as with a spawn of its own: the given environment and no other variable,
// cwd, its own stdin, and with a timeout its own session and process group (setsid; the timeout
// kills the group); its exit code (128+N for a signal), stdout and stderr come back exactly.
// Commands run side by side: each one's answer comes as it ends, so a slow one holds up no other.
// stdin of the helper, per command: a line `ID STDIN`; the helper's directory holds the command,
// cID (what encodeCommand makes: sh reads a file in blocks, a pipe a byte at a time), and when
// STDIN is 1 its stdin, iID (both written before). stdout: `P ID PID` when it started (with a
// timeout, PID is its process group), `D ID STATUS` when it ended; its output is in oID and eID.
// The directory is brine's (mkdtemp, 0700, in memory: /dev/shm where there is one), so a secret in
// a command or its input reaches no disk and no process list (beyond the command's own argv); the
// helper prints no command. It ends when brine does (its stdin closes) and removes the directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { shQuote } from './exec.js';
import type { LocalCommand, LocalCommandResult } from './local-spawn.js';

const SCRIPT = `d=$1
unset PWD OLDPWD
trap 'rm -rf -- "$d"' EXIT
while IFS=' ' read -r id i; do
  if [ "$i" = 1 ]; then in=$d/i$id; else in=/dev/null; fi
  (
    . "$d/c$id" <"$in" >"$d/o$id" 2>"$d/e$id" &
    echo "P $id $!"
    wait "$!"
    echo "D $id $?"
  ) &
done`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether the helper can run this environment (shell variable names only). */
export const helperCanRun = (env: Record<string, string>): boolean => Object.keys(env).every((k) => ENV_NAME.test(k));

/**
 * The lines the helper evaluates for one command: cwd, exactly its environment (the helper's own
 * holds nothing; cd's PWD is dropped), then the exec. A command with a timeout gets its own session
 * and process group (setsid: its pid is the group's), so the timeout kills all it started; the others
 * share the helper's session (no terminal either, like a spawn's own), an exec fewer each: a process
 * start costs more than node's fork of itself.
 */
export function encodeCommand(c: LocalCommand): string {
  const cd = c.cwd !== '/' ? [`cd -- ${shQuote(c.cwd)} || exit 126`, 'unset PWD OLDPWD'] : [];
  const exports = Object.entries(c.env).map(([k, v]) => `export ${k}=${shQuote(v)}`);
  const words = c.argv.map(shQuote).join(' ');
  return [...cd, ...exports, `exec ${c.timeoutMs !== undefined ? 'setsid -- ' : ''}${words}`].join('\n');
}

interface Pending {
  resolve(r: LocalCommandResult): void;
  reject(e: Error): void;
  /** The directory of the helper that runs it. */
  dir: string;
  /** It has ended: its output is being read. */
  reading?: Promise<void>;
  pid?: number;
  timedOut: boolean;
  killOnStart: boolean;
  timer?: NodeJS.Timeout;
}

export class LocalHelper {
  private sub: ChildProcess | undefined;
  private dir: string | undefined;
  private nextId = 0;
  /** Commands started and not yet answered (their output not yet read). */
  private readonly pending = new Map<number, Pending>();
  private drained: Array<() => void> = [];

  private start(): { sub: ChildProcess; dir: string } {
    if (this.sub && this.dir) return { sub: this.sub, dir: this.dir };
    const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'brine-run-'));
    // its own session (a Ctrl-C meant for brine reaches no command, as with a spawn of their own),
    // an empty environment (each command gets exactly its own)
    const sub = spawn('/bin/sh', ['-c', SCRIPT, 'brine-run', dir], {
      env: {},
      cwd: '/',
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.sub = sub;
    this.dir = dir;
    sub.stdin!.on('error', () => {}); // it died: 'close' says so to every waiting command
    createInterface({ input: sub.stdout! }).on('line', (line) => this.onLine(line, dir));
    // all its output read (every command it started has answered, or it was killed with them)
    sub.on('close', () => {
      if (this.sub === sub) this.sub = this.dir = undefined;
      const reading: Array<Promise<void>> = [];
      for (const [id, p] of this.pending) {
        if (p.dir !== dir) continue;
        if (p.reading) reading.push(p.reading);
        else {
          this.settle(id, p);
          p.reject(new Error('the local command runner ended unexpectedly'));
        }
      }
      void Promise.all(reading).then(() => rmSync(dir, { recursive: true, force: true }));
    });
    sub.unref();
    this.idle();
    return { sub, dir };
  }

  /** While commands run, the helper keeps node's event loop alive; idle, it holds nothing. */
  private idle(): void {
    const s = this.sub?.stdout as unknown as { ref(): void; unref(): void } | undefined;
    if (this.pending.size) s?.ref();
    else s?.unref();
  }

  private settle(id: number, p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(id);
    this.idle();
    if (!this.pending.size) for (const f of this.drained.splice(0)) f();
  }

  private onLine(line: string, dir: string): void {
    const [kind, idText, value] = line.split(' ');
    const id = Number(idText);
    const p = this.pending.get(id);
    if (!p || p.dir !== dir) return;
    if (kind === 'P') {
      p.pid = Number(value);
      if (p.killOnStart) this.kill(p);
    } else if (kind === 'D') {
      if (p.timer) clearTimeout(p.timer);
      p.reading = this.collect(id, Number(value), p);
    }
  }

  private kill(p: Pending): void {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  private async collect(id: number, status: number, p: Pending): Promise<void> {
    const at = (n: string) => join(p.dir, `${n}${id}`);
    try {
      const [stdout, stderr] = await Promise.all([fs.readFile(at('o'), 'utf8'), fs.readFile(at('e'), 'utf8')]);
      await Promise.all(['c', 'i', 'o', 'e'].map((n) => fs.rm(at(n), { force: true })));
      p.resolve({ exitCode: p.timedOut ? 124 : status, stdout, stderr, timedOut: p.timedOut });
    } catch {
      p.reject(new Error('the local command runner lost a command output'));
    } finally {
      this.settle(id, p);
    }
  }

  /** Runs a command as spawnCommand would (local-spawn.ts); rejects only when the helper itself fails. */
  async run(c: LocalCommand): Promise<LocalCommandResult> {
    const { sub, dir } = this.start();
    const id = this.nextId++;
    return new Promise<LocalCommandResult>((resolve, reject) => {
      const p: Pending = { resolve, reject, dir, timedOut: false, killOnStart: false };
      this.pending.set(id, p);
      this.idle();
      if (c.timeoutMs !== undefined) {
        p.timer = setTimeout(() => {
          p.timedOut = true;
          if (p.pid) this.kill(p);
          else p.killOnStart = true;
        }, c.timeoutMs);
      }
      // the command (its environment may hold secrets) and its input: files only brine reads
      const write = (n: string, data: string | Buffer) => fs.writeFile(join(dir, `${n}${id}`), data, { mode: 0o600 });
      Promise.all([write('c', encodeCommand(c)), c.stdin === undefined ? undefined : write('i', c.stdin)]).then(
        () => sub.stdin!.write(`${id} ${c.stdin === undefined ? 0 : 1}\n`),
        () => {
          this.settle(id, p);
          reject(new Error('the local command runner could not pass a command on'));
        },
      );
    });
  }

  /** The helper's process id and directory, once started (for tests). */
  get started(): { pid: number; dir: string } | undefined {
    return this.sub?.pid && this.dir ? { pid: this.sub.pid, dir: this.dir } : undefined;
  }

  /**
   * Ends the helper once every command it runs has answered (its stdin closes; it removes its
   * directory). A later command starts a new one.
   */
  async close(): Promise<void> {
    if (this.pending.size) await new Promise<void>((r) => this.drained.push(r));
    const sub = this.sub;
    this.sub = this.dir = undefined;
    sub?.stdin?.end();
  }
}
