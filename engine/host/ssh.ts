// The ssh2 transport: a Host over ONE ssh connection. Commands run on exec channels multiplexed
// over it (at most maxChannels at once: sshd's MaxSessions is 10); files go through one sftp
// session (reads, stat, atomic writes: temp file with the final mode, fsync@openssh.com,
// posix-rename@openssh.com). A non-root login runs everything through `sudo -n`, files included.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import PQueue from 'p-queue';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { StateError, TransportError } from '../errors.js';
import { endedByTimeout, shQuote } from './exec.js';
import {
  type ExecOptions,
  type ExecResult,
  type FileStat,
  fileTypeOfMode,
  type HeldCommand,
  type Host,
  type HostOp,
  type HostOpsResult,
  type WriteOptions,
} from './host.js';
import { asRoot, batchTimeout, decodeOps, encodeOps, OPS_ARGV, OPS_BODY, opUnfit } from './ssh-ops.js';
import { SESSION_LOCK_BODY } from './run-lock.js';
import {
  aloneFrame,
  batchFrame,
  CommandSession,
  decodeBatch,
  type FrameResult,
  inlineBatchFrame,
  newMarker,
  opsFrame,
  sessionScript,
} from './ssh-session.js';
import { COALESCE_COMMAND, decodeResults, encodeCommands } from './ssh-coalesce.js';
import { buildCommand, inlineCommand } from './ssh-command.js';
import { tempPath } from './temp-name.js';
import { connectionName, resolveTarget, type SshTarget } from './ssh-config.js';
import { openConnection, type ConnectOptions } from './ssh-connect.js';
import { NameCache } from './ssh-names.js';
import { SudoFiles, unknownOwner } from './ssh-sudo-files.js';

export type { SshTarget } from './ssh-config.js';
export { parseTargetSpec } from './ssh-config.js';

export interface SshOptions extends ConnectOptions {
  /** ~/.ssh/config to honour (default ~/.ssh/config; null: none). */
  sshConfigPath?: string | null;
  /** Default per-command timeout (ms) when a call gives none; default 30 min, 0 = none. */
  commandTimeoutMs?: number;
  /** Concurrent exec channels (default 8). */
  maxChannels?: number;
  /** Writes a run of applyOps groups needs to travel as one tar (ssh-ops-tar.ts; default 3; tests: 1). */
  tarFrom?: number;
}

/** Requests sent over the connection, for tests and the bench. */
export interface SshStats {
  /** exec channels opened for one command each, and command session frames (one round trip each). */
  exec: number;
  /** sftp requests sent. */
  sftp: number;
  /** exec channel opens the server refused for a moment (sshd frees a closed session lazily) and retried. */
  retries: number;
  /** exec channels opened (the command session's one included: it serves many round trips). */
  channels: number;
}

const SFTP_NO_SUCH_FILE = 2;

type RawResult = { exitCode: number; stdout: Buffer; stderr: string; timedOut?: boolean };
type Channel = import('ssh2').ClientChannel;
const CHUNK = 32 * 1024;
const READ_CHUNK = 64 * 1024;
/** Files bigger than this are written through one exec channel (writeStreamed), not sftp. */
const STREAM_FROM = 256 * 1024;

function sftpCode(e: unknown): number | undefined {
  return (e as { code?: number })?.code;
}

export class SshHost implements Host {
  readonly name: string;
  readonly stats: SshStats = { exec: 0, sftp: 0, retries: 0, channels: 0 };
  readonly loginUser: string;
  private readonly queue: PQueue;
  private sftpP: Promise<SFTPWrapper> | undefined;
  private closed: string | undefined;
  private readonly names: NameCache;
  private readonly sudo: SudoFiles | undefined;

  constructor(
    private readonly conn: Client,
    name: string,
    loginUser: string,
    private readonly opts: SshOptions,
  ) {
    this.name = name;
    this.loginUser = loginUser;
    this.queue = new PQueue({ concurrency: opts.maxChannels ?? 8 });
    conn.on('close', () => {
      this.closed ??= 'connection closed';
    });
    conn.on('error', (e: Error) => {
      this.closed ??= `connection lost: ${e.message}`;
    });
    this.sudo = loginUser === 'root' ? undefined : new SudoFiles(this);
    this.names = new NameCache({
      load: async () => {
        const argv = [
          'sh',
          '-c',
          'stat -c %s:%Y /etc/passwd /etc/group | paste -sd " "; echo @@; cat /etc/passwd; echo @@; cat /etc/group',
        ];
        const r = await this.exec(argv, {}, false);
        const [sig, passwd, group] = r.stdout.split('@@\n');
        return { sig: (sig ?? '').trim(), passwd: passwd ?? '', group: group ?? '' };
      },
      sig: async () => {
        const sigs = await Promise.all(
          ['/etc/passwd', '/etc/group'].map(async (p) => {
            const s = await this.sftpCall<Stats | null>((sf, cb) => sf.stat(p, cb), true);
            return s ? `${s.size}:${s.mtime}` : '';
          }),
        );
        return sigs.join(' ');
      },
    });
  }

  /** Round trips so far: exec channels + sftp requests. */
  get roundTrips(): number {
    return this.stats.exec + this.stats.sftp + this.stats.retries;
  }

  private alive(): void {
    if (this.closed) throw new TransportError(this.name, this.closed);
  }

  // ---------------------------------------------------------------- exec

  /** Runs a command string; stdout as raw bytes (for binary-safe reads through sudo). */
  execRaw(
    command: string,
    stdin: string | Buffer | undefined,
    timeoutMs: number,
    argv: string[],
    invalidates = true,
  ): Promise<{ exitCode: number; stdout: Buffer; stderr: string; timedOut?: boolean }> {
    return this.queue.add(
      () =>
        new Promise((resolve, reject) => {
          this.alive();
          this.stats.exec++;
          if (invalidates) this.names.invalidate();
          const started = Date.now();
          this.openExec(command, (err, stream) => {
            if (err) return reject(err);
            const out: Buffer[] = [];
            const errb: Buffer[] = [];
            let code: number | undefined;
            let signal: string | undefined;
            let guard: NodeJS.Timeout | undefined;
            let guardFired = false;
            if (timeoutMs > 0) {
              // the remote `timeout` kills the command; this only catches a target that stopped answering
              guard = setTimeout(() => {
                guardFired = true;
                stream.close();
              }, timeoutMs + 15_000);
            }
            stream.on('data', (d: Buffer) => out.push(d));
            stream.stderr.on('data', (d: Buffer) => errb.push(d));
            stream.on('exit', (c: number | null, sig?: string) => {
              code = c ?? undefined;
              signal = sig;
            });
            stream.on('close', () => {
              if (guard) clearTimeout(guard);
              const stderr = Buffer.concat(errb).toString('utf8');
              // `timeout -k` kills its process group, itself too: then the channel reports signal KILL
              const status = code ?? (signal === 'KILL' || signal === 'SIGKILL' ? 137 : -1);
              const timedOut = guardFired || endedByTimeout(status, Date.now() - started, timeoutMs);
              if (code === undefined && !guardFired && this.closed) {
                reject(new TransportError(this.name, `${this.closed} while running ${argv[0]}`));
                return;
              }
              resolve({
                exitCode: timedOut ? 124 : (code ?? (signal ? 128 + 9 : 255)),
                stdout: Buffer.concat(out),
                stderr,
                ...(timedOut ? { timedOut: true } : {}),
              });
            });
            stream.end(stdin ?? '');
          });
        }),
    ) as Promise<{ exitCode: number; stdout: Buffer; stderr: string; timedOut?: boolean }>;
  }

  /** Opens an exec channel; sshd's refusals of a moment (MaxSessions) are retried. */
  private openExec(command: string, cb: (err: TransportError | undefined, stream: Channel) => void): void {
    let attempt = 0;
    const open = () =>
      this.conn.exec(command, (err, stream) => {
        if (err) {
          // sshd counts a just-closed session against MaxSessions until its main loop frees it
          if (/Channel open failure/i.test(err.message) && attempt < 8 && !this.closed) {
            this.stats.retries++;
            setTimeout(open, 20 * 2 ** attempt++);
            return;
          }
          cb(new TransportError(this.name, `exec failed: ${err.message}`), stream);
          return;
        }
        this.stats.channels++;
        cb(undefined, stream);
      });
    open();
  }

  // ------------------------------------------------------- command session

  private session: CommandSession | undefined;
  /** The session holding the run lock (its end is the host's error). */
  private lockSession: CommandSession | undefined;
  /** Ends the held lock's `exited` (255) when its session ends. */
  private lockLost: (() => void) | undefined;

  /** A session that could not answer its first frame (a login shell or sudo it cannot run with). */
  private noSession = false;

  /**
   * A frame in the command session (ssh-session.ts), the session started with it as its first frame
   * when there is none; undefined when the session is busy with another frame (the caller opens a
   * channel of its own rather than wait) unless `wait`, or when this login has no session. The
   * session runs as root: a non-root login starts it through `sudo -n` once, and its frames'
   * commands are built as for a root login.
   */
  private inSession(
    frame: string,
    timeoutMs: number,
    o: { wait?: boolean; onLine?: (line: string) => void; input?: Buffer } = {},
  ): { session: CommandSession; result: Promise<FrameResult & { timedOut?: boolean }> } | undefined {
    if (this.noSession || this.closed) return undefined;
    const live = this.session && !this.session.ended ? this.session : undefined;
    if (live?.busy && !o.wait) return undefined;
    // a frame with stdin of its own goes only to a session already running (the first frame has none)
    if (o.input && !live?.answered) return undefined;
    this.stats.exec++;
    if (live) return { session: live, result: live.run(frame, timeoutMs, o.onLine, o.input) };
    const marker = newMarker();
    const argv = ['sh', '-c', sessionScript(SESSION_LOCK_BODY, OPS_BODY), 'sh', marker, frame];
    const cmd = buildCommand(argv, {}, { loginUser: this.loginUser, timeoutMs: 0 });
    const channel = new Promise<Channel>((resolve, reject) => {
      this.alive();
      this.openExec(cmd, (err, ch) => (err ? reject(err) : resolve(ch)));
    });
    const session: CommandSession = new CommandSession(
      marker,
      channel,
      (why) => new TransportError(this.name, `${this.closed ?? why} while running a command`),
      { timeoutMs, ...(o.onLine ? { onLine: o.onLine } : {}) },
      (why) => {
        // the run lock went with it: nothing more may run as if it were held
        if (this.lockSession !== session) return;
        this.closed ??= `${why} (it held the run lock)`;
        this.lockLost?.();
      },
    );
    this.session = session;
    return { session, result: session.firstResult };
  }

  /** The run lock in the command session (run-lock.ts's SESSION_LOCK_BODY): no channel of its own. */
  sessionLock(args: string[], onLine: (line: string) => void): HeldCommand | undefined {
    // only in a session that has answered (the grains come first): else the lock's own command
    if (!this.session?.answered || this.session.ended) return undefined;
    // `ready` is told once the frame has ended (the same round trip): the lock is then the session's,
    // and the session is free for the commands the caller starts next (else they took a channel of their own)
    let ready = false;
    const lines = (line: string) => {
      if (line === 'ready') ready = true;
      else onLine(line);
    };
    const s = this.inSession(`brine_lock ${args.map(shQuote).join(' ')}`, 0, { wait: true, onLine: lines });
    if (!s) return undefined;
    let settled = false;
    let unlock: (code: number) => void = () => {};
    const exited = new Promise<number>((resolve, reject) => {
      unlock = resolve;
      s.result.then(
        (r) => {
          settled = true;
          if (r.exitCode !== 0) return resolve(r.exitCode);
          this.lockSession = s.session;
          this.lockLost = () => resolve(255);
          if (ready) onLine('ready');
        },
        (e: Error) => {
          settled = true;
          reject(e);
        },
      );
    });
    return {
      exited,
      release: async () => {
        if (!settled) {
          // still waiting for the lock (a stop while waiting): the session goes, and the wait with it
          await s.session.close(true);
        } else if (this.lockSession === s.session) {
          this.lockSession = undefined;
          if (!s.session.ended) await s.session.run('[ -z "$brine_l" ] || : > "$brine_l"; brine_l=; exec 9>&-', 0);
        }
        unlock(0);
        await exited.catch(() => {});
      },
    };
  }

  /**
   * A command on its own exec channel (outside the channel queue) for as long as the caller holds
   * it; release() sends EOF. A dropped connection ends it on the target (sshd closes its stdin).
   */
  hold(argv: string[], onLine: (line: string) => void): HeldCommand {
    const cmd = buildCommand(argv, {}, { loginUser: this.loginUser, timeoutMs: 0 });
    let stream: import('ssh2').ClientChannel | undefined;
    const exited = new Promise<number>((resolve, reject) => {
      this.alive();
      this.stats.exec++;
      this.conn.exec(cmd, (err, ch) => {
        if (err) return reject(new TransportError(this.name, `exec failed: ${err.message}`));
        this.stats.channels++;
        stream = ch;
        let buf = '';
        let code = 255;
        ch.on('data', (d: Buffer) => {
          buf += d.toString('utf8');
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            onLine(buf.slice(0, i));
            buf = buf.slice(i + 1);
          }
        });
        ch.stderr.resume();
        ch.on('exit', (c: number | null) => {
          code = c ?? 255;
        });
        ch.on('close', () => resolve(code));
      });
    });
    return {
      exited,
      release: async () => {
        if (stream && !this.closed) stream.end();
        // still waiting for the lock (a stop while waiting): it reads no stdin, close the channel
        const t = setTimeout(() => stream?.close(), 1000);
        await exited.catch(() => {});
        clearTimeout(t);
      },
    };
  }

  async exec(argv: string[], opts: ExecOptions = {}, invalidates = !opts.readOnly): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.opts.commandTimeoutMs ?? 30 * 60_000;
    const cmd = buildCommand(argv, opts, { loginUser: this.loginUser, timeoutMs });
    const r = opts.readOnly
      ? await this.coalesced(cmd, opts.stdin, timeoutMs, argv, opts)
      : await this.execRaw(cmd, opts.stdin, timeoutMs, argv, invalidates);
    return {
      argv,
      exitCode: r.exitCode,
      stdout: r.stdout.toString('utf8'),
      stderr: r.stderr,
      ...(r.timedOut ? { timedOut: true } : {}),
    };
  }

  private readOnlyBatch:
    | Array<{
        cmd: string;
        stdin?: string | Buffer;
        timeoutMs: number;
        argv: string[];
        opts: ExecOptions;
        done(r: Promise<RawResult>): void;
      }>
    | undefined;

  /** A read-only command; those started in the same turn share one channel (ssh-coalesce.ts). */
  private coalesced(
    cmd: string,
    stdin: string | Buffer | undefined,
    timeoutMs: number,
    argv: string[],
    opts: ExecOptions,
  ): Promise<RawResult> {
    return new Promise<RawResult>((resolve, reject) => {
      const item = { cmd, stdin, timeoutMs, argv, opts, done: (r: Promise<RawResult>) => r.then(resolve, reject) };
      if (this.readOnlyBatch) return void this.readOnlyBatch.push(item);
      const batch = (this.readOnlyBatch = [item]);
      setImmediate(() => {
        const started = Date.now();
        this.readOnlyBatch = undefined;
        const alone = (i: (typeof batch)[number]) => i.done(this.execRaw(i.cmd, i.stdin, i.timeoutMs, i.argv, false));
        const max = Math.max(...batch.map((i) => i.timeoutMs));
        if (batch.every((i) => i.stdin === undefined) && this.sessionBatch(batch, max, alone)) return;
        if (batch.length === 1) return alone(batch[0]!);
        const all = this.execRaw(
          COALESCE_COMMAND,
          encodeCommands(batch.map((i) => ({ command: i.cmd, stdin: i.stdin }))),
          max,
          ['sh'],
          false,
        );
        all.then(
          (r) => {
            const res = r.exitCode === 0 ? decodeResults(r.stdout, batch.length) : null;
            if (!res) return batch.forEach(alone);
            batch.forEach((i, n) => {
              const x = res[n]!;
              const timedOut = endedByTimeout(x.exitCode, Date.now() - started, i.timeoutMs);
              i.done(Promise.resolve(timedOut ? { ...x, exitCode: 124, timedOut: true } : x));
            });
          },
          (e: unknown) => batch.forEach((i) => i.done(Promise.reject(e))),
        );
      });
    });
  }

  /** Read-only commands without stdin as one frame of the command session; false: no session free for them. */
  private sessionBatch<
    T extends { cmd: string; argv: string[]; opts: ExecOptions; timeoutMs: number; done(r: Promise<RawResult>): void },
  >(batch: T[], max: number, alone: (i: T) => void): boolean {
    const one = batch.length === 1;
    const s = this.inSession(one ? aloneFrame(this.rootCommand(batch[0]!)) : this.batchFrameOf(batch, max), max);
    if (!s) return false;
    const started = Date.now();
    const timed = (x: FrameResult & { timedOut?: boolean }, ms: number): RawResult => {
      const late = x.timedOut || endedByTimeout(x.exitCode, Date.now() - started, ms);
      return {
        exitCode: late ? 124 : x.exitCode,
        stdout: x.stdout,
        stderr: x.stderr,
        ...(late ? { timedOut: true } : {}),
      };
    };
    s.result.then(
      (r) => {
        if (one) return batch[0]!.done(Promise.resolve(timed(r, max)));
        const res = r.exitCode === 0 && !r.timedOut ? decodeBatch(r.stdout, s.session.marker, batch.length) : null;
        if (!res) return batch.forEach(alone);
        batch.forEach((i, n) => i.done(Promise.resolve(timed(res[n]!, i.timeoutMs))));
      },
      (e: unknown) => {
        // the session never answered: the commands go the ordinary way (which says why, e.g. sudo's refusal)
        if (!s.session.answered && !this.closed) {
          this.noSession = true;
          return batch.forEach(alone);
        }
        batch.forEach((i) => i.done(Promise.reject(e)));
      },
    );
    return true;
  }

  /** The command as the session (root) runs it: a non-root login's commands lose their `sudo -n`. */
  private rootCommand(i: { cmd: string; argv: string[]; opts: ExecOptions; timeoutMs: number }): string {
    if (this.loginUser === 'root') return i.cmd;
    return buildCommand(i.argv, i.opts, { loginUser: 'root', timeoutMs: i.timeoutMs });
  }

  /** One `timeout` and sh for the whole batch when its commands allow (same timeout, no user switch). */
  private batchFrameOf(
    batch: Array<{ cmd: string; argv: string[]; opts: ExecOptions; timeoutMs: number }>,
    max: number,
  ) {
    const inline = batch.map((i) => (i.timeoutMs === max ? inlineCommand(i.argv, i.opts, 'root') : null));
    if (inline.some((c) => c === null)) return batchFrame(batch.map((i) => this.rootCommand(i)));
    return inlineBatchFrame(inline as string[], max > 0 ? Math.max(1, Math.ceil(max / 1000)) : 0);
  }

  /**
   * Groups of changes in one stream (see ssh-ops.ts): one round trip. In the command session when it
   * is free (no sshd session, login shell, \`timeout\` and sh of its own; each command in the stream
   * keeps its own \`timeout\`), else on an exec channel of its own under one \`timeout\`.
   */
  async applyOps(groups: HostOp[][]): Promise<HostOpsResult[]> {
    if (!groups.length) return [];
    const each = this.opts.commandTimeoutMs ?? 30 * 60_000;
    const timeoutMs = batchTimeout(groups, each);
    const stream = encodeOps(groups, asRoot(each), { tarFrom: this.opts.tarFrom });
    const s = this.inSession(opsFrame(stream.length), timeoutMs, { input: stream });
    if (s) {
      this.names.invalidate();
      const r = await s.result;
      return decodeOps(groups, r.timedOut ? { ...r, exitCode: 124 } : r, each);
    }
    const cmd = buildCommand(OPS_ARGV, {}, { loginUser: this.loginUser, timeoutMs });
    const r = await this.execRaw(cmd, stream, timeoutMs, OPS_ARGV, true);
    return decodeOps(groups, r, each);
  }

  // ---------------------------------------------------------------- sftp

  private sftp(): Promise<SFTPWrapper> {
    this.sftpP ??= new Promise((resolve, reject) => {
      this.alive();
      this.conn.sftp((err, sf) => (err ? reject(new TransportError(this.name, `sftp: ${err.message}`)) : resolve(sf)));
    });
    return this.sftpP;
  }

  /** One sftp request; with missingIsNull, "no such file" resolves null. */
  private async sftpCall<T>(
    fn: (sf: SFTPWrapper, cb: (err: Error | undefined | null, v?: T) => void) => void,
    missingIsNull = false,
  ): Promise<T> {
    const sf = await this.sftp();
    this.alive();
    this.stats.sftp++;
    return new Promise<T>((resolve, reject) => {
      fn(sf, (err, v) => {
        if (err) {
          if (missingIsNull && sftpCode(err) === SFTP_NO_SUCH_FILE) resolve(null as T);
          else reject(this.closed ? new TransportError(this.name, this.closed) : err);
        } else resolve(v as T);
      });
    });
  }

  private fail(op: string, path: string, e: unknown): never {
    if (e instanceof TransportError) throw e;
    throw new TransportError(this.name, `${op} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }

  async readFile(path: string): Promise<Buffer | null> {
    if (this.sudo) return this.sudo.readFile(path);
    let handle: Buffer | null;
    try {
      handle = await this.sftpCall<Buffer | null>((sf, cb) => sf.open(path, 'r', cb), true);
    } catch (e) {
      this.fail('read', path, e);
    }
    if (!handle) return null;
    const h = handle;
    const parts: Buffer[] = [];
    try {
      // fstat goes out with the first read: a regular file is done once its size is read (one
      // read for a small file); a file that reports size 0 (procfs, pipes) is read until EOF
      const readAt = (pos: number) => {
        const buf = Buffer.alloc(READ_CHUNK);
        return this.sftpCall<number>((sf, cb) =>
          sf.read(h, buf, 0, buf.length, pos, (err, bytes) => {
            // EOF is reported as an error by some servers, as 0 bytes by others
            if (err && (err as { code?: number }).code === 1) cb(null, 0);
            else cb(err, bytes);
          }),
        ).then((n) => buf.subarray(0, n));
      };
      const [st, head] = await Promise.all([this.sftpCall<Stats>((sf, cb) => sf.fstat(h, cb)), readAt(0)]);
      parts.push(head);
      let pos = head.length;
      let last = head.length;
      while (st.size > 0 ? pos < st.size && last > 0 : last > 0) {
        const b = await readAt(pos);
        parts.push(b);
        pos += b.length;
        last = b.length;
      }
    } catch (e) {
      this.fail('read', path, e);
    } finally {
      this.sftpCall((sf, cb) => sf.close(h, cb)).catch(() => {});
    }
    return Buffer.concat(parts);
  }

  private async toStat(s: Stats | null): Promise<FileStat | null> {
    if (!s) return null;
    const [user, group] = await Promise.all([this.names.userName(s.uid), this.names.groupName(s.gid)]);
    return {
      type: fileTypeOfMode(s.mode),
      mode: s.mode & 0o7777,
      uid: s.uid,
      gid: s.gid,
      user,
      group,
      size: s.size,
      mtimeMs: s.mtime * 1000,
    };
  }

  async stat(path: string): Promise<FileStat | null> {
    if (this.sudo) return this.sudo.stat(path, true);
    try {
      return await this.toStat(await this.sftpCall<Stats | null>((sf, cb) => sf.stat(path, cb), true));
    } catch (e) {
      this.fail('stat', path, e);
    }
  }

  async lstat(path: string): Promise<FileStat | null> {
    if (this.sudo) return this.sudo.stat(path, false);
    try {
      return await this.toStat(await this.sftpCall<Stats | null>((sf, cb) => sf.lstat(path, cb), true));
    } catch (e) {
      this.fail('lstat', path, e);
    }
  }

  async readlink(path: string): Promise<string | null> {
    if (this.sudo) return this.sudo.readlink(path);
    const st = await this.lstat(path);
    if (!st || st.type !== 'symlink') return null;
    try {
      return await this.sftpCall<string>((sf, cb) => sf.readlink(path, cb));
    } catch (e) {
      this.fail('readlink', path, e);
    }
  }

  async mkdir(path: string, opts: { mode?: number; recursive?: boolean } = {}): Promise<void> {
    if (this.sudo) return this.sudo.mkdir(path, opts);
    const attrs = opts.mode !== undefined ? { mode: opts.mode } : {};
    try {
      await this.sftpCall((sf, cb) => sf.mkdir(path, attrs, cb));
    } catch (e) {
      if (!opts.recursive) this.fail('mkdir', path, e);
      const st = await this.stat(path);
      if (st?.type === 'directory') return;
      if (st) this.fail('mkdir', path, new Error('exists and is not a directory'));
      const parent = posix.dirname(path);
      if (parent === path) this.fail('mkdir', path, e);
      // parents get the same mode, set exactly (sftp-server's umask would narrow it otherwise)
      await this.mkdir(parent, { recursive: true, mode: opts.mode ?? 0o755 });
      await this.mkdir(path, { mode: opts.mode });
      return;
    }
    // sftp-server applies its umask; set the mode exactly
    if (opts.mode !== undefined) await this.sftpCall((sf, cb) => sf.setstat(path, { mode: opts.mode as number }, cb));
  }

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    if (this.sudo || opts.recursive) {
      const r = await this.exec(['rm', '-f', ...(opts.recursive ? ['-r'] : []), '--', path]);
      if (r.exitCode !== 0) this.fail('remove', path, new Error(r.stderr.trim()));
      return;
    }
    const st = await this.lstat(path);
    if (!st) return;
    try {
      if (st.type === 'directory') await this.sftpCall((sf, cb) => sf.rmdir(path, cb));
      else await this.sftpCall((sf, cb) => sf.unlink(path, cb), true);
    } catch (e) {
      this.fail('remove', path, e);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    if (this.sudo) return this.sudo.rename(from, to);
    try {
      await this.sftpCall((sf, cb) => sf.ext_openssh_rename(from, to, cb));
    } catch (e) {
      this.fail('rename', `${from} -> ${to}`, e);
    }
  }

  async hash(path: string): Promise<string | null> {
    const r = await this.exec(
      ['sh', '-c', 'if [ -e "$1" ]; then sha256sum < "$1"; else echo MISSING; fi', 'sh', path],
      {},
      false,
    );
    if (r.exitCode !== 0) this.fail('hash', path, new Error(r.stderr.trim()));
    const out = r.stdout.trim();
    if (out === 'MISSING') return null;
    return out.split(/\s+/)[0] ?? null;
  }

  async writeFileAtomic(path: string, data: string | Buffer, opts: WriteOptions = {}): Promise<void> {
    if (this.sudo) return this.sudo.writeFileAtomic(path, data, opts);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (buf.length > STREAM_FROM && !opUnfit({ op: 'write', path, data: buf, ...opts })) {
      return this.writeStreamed(path, buf, opts);
    }
    const old =
      opts.mode === undefined || opts.owner === undefined || opts.group === undefined ? await this.stat(path) : null;
    const mode = opts.mode ?? (old ? old.mode : 0o644);
    const uid = opts.owner !== undefined ? await this.names.uid(opts.owner) : old?.uid;
    const gid = opts.group !== undefined ? await this.names.gid(opts.group) : old?.gid;
    if (opts.owner !== undefined && uid === undefined) throw new StateError(path, `unknown user '${opts.owner}'`);
    if (opts.group !== undefined && gid === undefined) throw new StateError(path, `unknown group '${opts.group}'`);
    const tmp = tempPath(path, randomBytes(6).toString('hex'));
    let handle: Buffer | undefined;
    try {
      // created 0600 at most, chowned, then given its final mode before any data is written
      handle = await this.sftpCall<Buffer>((sf, cb) => sf.open(tmp, 'wx', { mode: mode & 0o600 }, cb));
      const h = handle;
      // sftp-server handles requests in order, so these go out together (one round trip):
      // chown, final mode, data, fsync; then close + rename together once they all succeeded
      const steps: Promise<unknown>[] = [];
      if (uid !== undefined || gid !== undefined) {
        steps.push(this.sftpCall((sf, cb) => sf.fchown(h, uid ?? 0xffffffff, gid ?? 0xffffffff, cb)));
      }
      steps.push(this.sftpCall((sf, cb) => sf.fchmod(h, mode, cb)));
      for (let off = 0; off < buf.length; off += CHUNK) {
        const len = Math.min(CHUNK, buf.length - off);
        steps.push(this.sftpCall((sf, cb) => sf.write(h, buf, off, len, off, cb)));
      }
      steps.push(this.sftpCall((sf, cb) => sf.ext_openssh_fsync(h, (err) => cb(err))));
      const settled = await Promise.allSettled(steps);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      handle = undefined;
      await Promise.all([
        this.sftpCall((sf, cb) => sf.close(h, cb)),
        this.sftpCall((sf, cb) => sf.ext_openssh_rename(tmp, path, cb)),
      ]);
    } catch (e) {
      const h = handle;
      if (h) await this.sftpCall((sf, cb) => sf.close(h, cb)).catch(() => {});
      await this.sftpCall((sf, cb) => sf.unlink(tmp, cb), true).catch(() => {});
      this.fail('write', path, e);
    }
  }

  /**
   * A big file in one exec channel (the ops stream's write: temp file in the same directory, owner
   * and mode before the data, fsync, rename), not one sftp request per 32 KiB.
   */
  private async writeStreamed(path: string, data: Buffer, opts: WriteOptions): Promise<void> {
    const [r] = await this.applyOps([[{ op: 'write', path, data, ...opts }]]);
    if (r?.ok) return;
    const why = r?.error ?? 'no answer';
    const unknown = unknownOwner(path, why, opts);
    if (unknown) throw unknown;
    this.fail('write', path, why.replace(`write ${path}: `, ''));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = 'connection closed';
    await this.queue.onIdle().catch(() => {});
    // EOF: the session's loop ends (its outputs' directory removed) before the connection goes
    await this.session?.close();
    this.conn.end();
  }
}

/** Connects to target (honouring ~/.ssh/config) and returns a Host over one ssh connection. */
export async function connectSsh(target: SshTarget, o: SshOptions = {}): Promise<SshHost> {
  const t = resolveTarget(target, o.sshConfigPath);
  const name = connectionName(t);
  const conn = await openConnection(name, t, o);
  return new SshHost(conn, name, t.user, o);
}
