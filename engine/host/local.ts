// The local transport: commands through execa (argv arrays, no shell), files through node:fs.
// With `root`, every filesystem path resolves under that directory (brine's --root, for tests)
// and commands get BRINE_ROOT in their environment so shell snippets can prefix paths with it.

import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createReadStream, constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { execa } from 'execa';
import { spawnCommand } from './local-spawn.js';
import {
  DEFAULT_PATH,
  type ExecOptions,
  type ExecResult,
  type FileStat,
  type FileType,
  type HeldCommand,
  type Host,
  type WriteOptions,
} from './host.js';
import { groupName, userHome, userName } from './local-ids.js';
import { helperCanRun, LocalHelper } from './local-helper.js';
import { writeFileAtomicLocal } from './local-write.js';
import { resolveInRoot } from './root-jail.js';

export interface LocalHostOptions {
  /** Resolve every filesystem path under this directory. */
  root?: string;
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

const isExecutable = (p: string): Promise<boolean> =>
  fs.access(p, fsConstants.X_OK).then(
    () => fs.stat(p).then((s) => s.isFile()),
    () => false,
  );

/** Where PATH lookups found a command (PATH and name -> file), checked again (access) at each use. */
const found = new Map<string, string>();

/** Whether argv[0] names an executable file (as exec would find it in PATH) and cwd is a directory. */
async function startable(cmd: string, path: string, cwd: string): Promise<boolean> {
  if (
    cwd !== '/' &&
    !(await fs.stat(cwd).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return false;
  if (cmd.includes('/')) return isExecutable(isAbsolute(cmd) ? cmd : join(cwd, cmd));
  const key = `${path}\u0000${cmd}`;
  const known = found.get(key);
  if (
    known &&
    (await fs.access(known, fsConstants.X_OK).then(
      () => true,
      () => false,
    ))
  )
    return true;
  for (const d of path.split(delimiter)) {
    if (d && (await isExecutable(join(d, cmd)))) {
      found.set(key, join(d, cmd));
      return true;
    }
  }
  return false;
}

function typeOf(s: Stats): FileType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  return 'other';
}

export function toFileStat(s: Stats): FileStat {
  return {
    type: typeOf(s),
    mode: s.mode & 0o7777,
    uid: s.uid,
    gid: s.gid,
    user: userName(s.uid),
    group: groupName(s.gid),
    size: s.size,
    mtimeMs: s.mtimeMs,
  };
}

export class LocalHost implements Host {
  readonly name: string;
  readonly inProcess = true;
  readonly root: string | undefined;

  /**
   * The run lock: /run/brine.lock, or for a --root one lock per root directory kept outside it
   * (/run/brine/root-HASH.lock), so a dry run leaves the tree under the root untouched.
   */
  readonly runLockPath: string;

  /** Starts the commands (local-helper.ts): node's own spawns block its event loop for each. */
  private readonly helper = new LocalHelper();

  constructor(o: LocalHostOptions = {}) {
    this.root = o.root ? resolve(o.root) : undefined;
    this.name = this.root ? `local:${this.root}` : 'local';
    this.runLockPath = this.root
      ? `/run/brine/root-${createHash('sha256').update(this.root).digest('hex').slice(0, 16)}.lock`
      : '/run/brine.lock';
  }

  hold(argv: string[], onLine: (line: string) => void): HeldCommand {
    // own process group: a Ctrl-C meant for brine must not end the lock before brine has cleaned up;
    // when brine dies, the pipe to the command's stdin closes and the command ends
    const sub = execa(argv[0]!, argv.slice(1), {
      env: { PATH: DEFAULT_PATH, LANG: 'C.UTF-8' },
      extendEnv: false,
      reject: false,
      detached: true,
      stdin: 'pipe',
      stderr: 'ignore',
      cwd: '/',
    });
    createInterface({ input: sub.stdout! }).on('line', onLine);
    const exited = sub.then((r) => r.exitCode ?? 1);
    return {
      exited,
      async release() {
        sub.stdin?.end();
        // still waiting for the lock (a stop while waiting): it reads no stdin, end it
        const t = setTimeout(() => {
          try {
            if (sub.pid) process.kill(-sub.pid, 'SIGTERM');
          } catch {
            /* gone */
          }
        }, 1000);
        await exited;
        clearTimeout(t);
      },
    };
  }

  /**
   * The real path of a path as states name it. Under --root every symlink on the way resolves
   * inside the root (root-jail.ts); followLast: the last component too (off: the link itself).
   */
  path(p: string, followLast = true): string {
    return this.root ? join(this.root, resolveInRoot(this.root, resolve('/', p), followLast)) : p;
  }

  async resolvePath(p: string, followLast = true): Promise<string> {
    return this.root ? resolveInRoot(this.root, resolve('/', p), followLast) : p;
  }

  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error('exec: empty argv');
    const user = opts.user && opts.user !== 'root' ? opts.user : undefined;
    const env: Record<string, string> = {
      PATH: DEFAULT_PATH,
      LANG: 'C.UTF-8',
      HOME: (user ? userHome(user) : '/root') ?? '/',
      ...(user ? { USER: user, LOGNAME: user } : { USER: 'root', LOGNAME: 'root' }),
      ...(this.root ? { BRINE_ROOT: this.root } : {}),
      ...opts.env,
    };
    const full = user ? ['runuser', '-u', user, '--', ...argv] : argv;
    const cwd = opts.cwd ? this.path(opts.cwd) : '/';
    // what would fail to start goes to a spawn of its own, which reports it as it always has
    const spec = { argv: full, env, cwd, stdin: opts.stdin, timeoutMs: opts.timeoutMs };
    const viaHelper = helperCanRun(env) && (await startable(full[0]!, env.PATH ?? '', cwd));
    const r = viaHelper ? await this.helper.run(spec) : await spawnCommand(spec);
    return {
      argv,
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      ...(r.timedOut ? { timedOut: true } : {}),
    };
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.path(path));
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  writeFileAtomic(path: string, data: string | Buffer, opts?: WriteOptions): Promise<void> {
    // the temp file is renamed over the path itself (a link there is replaced, as without --root)
    return writeFileAtomicLocal(this.path(path, false), data, opts);
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      return toFileStat(await fs.stat(this.path(path)));
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'ELOOP') return null;
      throw e;
    }
  }

  async lstat(path: string): Promise<FileStat | null> {
    try {
      return toFileStat(await fs.lstat(this.path(path, false)));
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async readlink(path: string): Promise<string | null> {
    try {
      return await fs.readlink(this.path(path, false));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (isMissing(e) || code === 'EINVAL') return null;
      throw e;
    }
  }

  async mkdir(path: string, opts: { mode?: number; recursive?: boolean } = {}): Promise<void> {
    const real = this.path(path);
    const mode = opts.mode ?? 0o755;
    // every directory made gets the mode exactly, whatever the umask (Salt's makedirs: parents too)
    const made: string[] = [];
    for (let d = real; ; d = dirname(d)) {
      if (
        await fs.lstat(d).then(
          () => true,
          () => false,
        )
      )
        break;
      made.unshift(d);
      if (!opts.recursive || dirname(d) === d) break;
    }
    if (!made.length) {
      if (!opts.recursive)
        await fs.mkdir(real); // exists: EEXIST
      else if (opts.mode !== undefined) await fs.chmod(real, opts.mode);
      return;
    }
    for (const d of made) {
      const mine = await fs.mkdir(d, { mode }).then(
        () => true,
        async (e: NodeJS.ErrnoException) => {
          // another state made it meanwhile: fine where mkdir -p would be fine
          if (e.code !== 'EEXIST' || (d === real && !opts.recursive) || !(await fs.stat(d)).isDirectory()) throw e;
          return false;
        },
      );
      if (mine || d === real) await fs.chmod(d, mode);
    }
  }

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const real = this.path(path, false);
    let st: Stats;
    try {
      st = await fs.lstat(real);
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    if (st.isDirectory()) {
      if (opts.recursive) await fs.rm(real, { recursive: true, force: true });
      else await fs.rmdir(real);
    } else {
      await fs.unlink(real);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await fs.rename(this.path(from, false), this.path(to, false));
  }

  async hash(path: string): Promise<string | null> {
    const h = createHash('sha256');
    try {
      for await (const chunk of createReadStream(this.path(path))) h.update(chunk as Buffer);
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    return h.digest('hex');
  }

  async close(): Promise<void> {
    await this.helper.close();
  }
}
