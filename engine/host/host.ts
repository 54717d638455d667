// The Host interface: the only door to a machine. Local (execa + node:fs) and SSH (ssh2 exec +
// sftp) implement it; state modules touch a machine through nothing else.

/** The PATH every command brine runs on a host gets (local and over SSH, the grains' and probe's scripts). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ExecOptions {
  /** Data written to the command's standard input. */
  stdin?: string | Buffer;
  /** Extra environment variables (merged over a minimal, predictable environment). */
  env?: Record<string, string>;
  /** Run as this user (runuser/sudo -u). */
  user?: string;
  cwd?: string;
  /** Kill the command after this many milliseconds (result has timedOut: true). */
  timeoutMs?: number;
  /**
   * The command only reads (fact probes): it changes no file, user or group, so a transport may
   * keep what it cached about the host (the SSH transport's uid/gid names) across it.
   */
  readOnly?: boolean;
}

/** A finished command. A non-zero exit is a result, never a throw. */
export interface ExecResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

export type FileType = 'file' | 'directory' | 'symlink' | 'other';

/** The FileType of a stat mode (st_mode's S_IFMT bits). */
export function fileTypeOfMode(mode: number): FileType {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

export interface FileStat {
  type: FileType;
  /** Permission bits only (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Owner and group names where they resolve, else the numeric id as a string. */
  user: string;
  group: string;
  size: number;
  mtimeMs: number;
}

export interface WriteOptions {
  /** Final mode of the file; the temp file is created with it, so it is never briefly wider. */
  mode?: number;
  owner?: string;
  group?: string;
}

/** A command that keeps running while the caller needs it (the run lock's holder). */
export interface HeldCommand {
  /** Resolves with the exit code when the command ends (on its own or after release). */
  readonly exited: Promise<number>;
  /** Closes the command's standard input (it ends at EOF) and waits for it to exit. */
  release(): Promise<void>;
}

/**
 * A change a transport can make as part of a batch (Host.applyOps): the same semantics as the Host
 * method of that name (writeFileAtomic, mkdir, remove, rename; exec without stdin).
 * An exec without `output` is a change whose output is not kept and whose non-zero exit fails its
 * group. With `output` (a state's command, cmd.run) it runs as Host.exec would run it (env, user,
 * cwd, timeout) and its answer comes back in the group's result (`outputs`): its exit code is an
 * answer, never a failure of the group.
 * A `guard` op is a state's onlyif/unless/creates (engine/run/conditions.ts's semantics), evaluated
 * on the target when its turn comes (after the ops before it): when it says skip, the rest of its
 * group is not run and the group's result says why (`skipped`).
 */
export type HostOp =
  | { op: 'write'; path: string; data: Buffer; mode?: number; owner?: string; group?: string }
  | { op: 'mkdir'; path: string; mode?: number; recursive?: boolean }
  | { op: 'remove'; path: string; recursive?: boolean }
  | { op: 'rename'; from: string; to: string }
  | ({ op: 'exec'; argv: string[]; output?: boolean } & Omit<ExecOptions, 'stdin' | 'readOnly'>)
  | ({ op: 'guard' } & Guards);

/** A state's guards: each command run through `sh -c` as `user` in `cwd` (Host.exec's default timeout). */
export interface Guards {
  /** Run in order; the first that exits non-zero skips the state. */
  onlyif: string[];
  /** Run in order until one exits non-zero; when all exit 0 the state is skipped. */
  unless: string[];
  /** When every path exists (lstat: a dangling symlink exists) the state is skipped. */
  creates: string[];
  user?: string;
  cwd?: string;
}

/** Which guard skipped a state (`index`: the onlyif command that was false). */
export type GuardSkip = { kind: 'onlyif'; index: number } | { kind: 'unless' } | { kind: 'creates' };

/** A command's answer from a batch (an exec op with `output`). */
export interface ExecAnswer extends ExecResult {
  /** How long the command ran, measured on the target. */
  durationMs: number;
}

/**
 * How one group of a batch went: every op done (with the answers of its exec ops with `output`, in
 * order, or the guard that stopped it), or the first op that failed (the rest were not run).
 */
export type HostOpsResult =
  | { ok: true; outputs?: ExecAnswer[]; skipped?: GuardSkip }
  | { ok: false; op: HostOp; error: string; outputs?: ExecAnswer[] };

export interface Host {
  /** A label for output only ('local', 'root@example.org:22'): decide nothing on it. */
  readonly name: string;
  /**
   * Calls run in this process and cost microseconds, not a round trip (the local transport): facts
   * are then read call by call instead of batched into one shell command.
   */
  readonly inProcess?: boolean;
  /** Where the run lock lives on this host (default /run/brine.lock); see engine/host/run-lock.ts. */
  readonly runLockPath?: string;
  /**
   * Starts argv and keeps it running, calling onLine for each line it prints, until release()
   * closes its stdin; it also ends when this process or the connection dies (stdin EOF).
   */
  hold?(argv: string[], onLine: (line: string) => void): HeldCommand;
  /**
   * The run lock held by the transport's long-lived command session (ssh-session.ts) instead of a
   * command of its own: args and lines as run-lock.ts's script has them; release() frees the lock,
   * and so does the session's end. undefined: no such session here (hold() then).
   */
  sessionLock?(args: string[], onLine: (line: string) => void): HeldCommand | undefined;
  /**
   * --root hosts: the path as states name it with every symlink resolved inside the root (never on
   * the real filesystem), still as a path within the root; shell snippets that prefix $BRINE_ROOT
   * use it so the kernel follows no link out of the root. followLast (default true): the last
   * component too; off for commands that act on a link itself (chown -h).
   */
  resolvePath?(path: string, followLast?: boolean): Promise<string>;
  /**
   * Makes groups of changes in one go (over SSH: one exec channel, the written files in its stream),
   * in order; a group stops at its first failing op, the other groups go on. Absent on transports
   * where a call costs no round trip (local).
   */
  applyOps?(groups: HostOp[][]): Promise<HostOpsResult[]>;
  /** Run argv (never a joined string). */
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** File contents, or null when it does not exist. */
  readFile(path: string): Promise<Buffer | null>;
  /** Temp file in the same directory with the final mode/owner, fsync, rename. */
  writeFileAtomic(path: string, data: string | Buffer, opts?: WriteOptions): Promise<void>;
  /** stat (follows symlinks); null when missing. */
  stat(path: string): Promise<FileStat | null>;
  /** lstat (does not follow symlinks); null when missing. */
  lstat(path: string): Promise<FileStat | null>;
  /** Target of a symlink, or null when the path is not a symlink. */
  readlink(path: string): Promise<string | null>;
  mkdir(path: string, opts?: { mode?: number; recursive?: boolean }): Promise<void>;
  /** Removes a file, symlink or (with recursive) a directory tree; missing is not an error. */
  remove(path: string, opts?: { recursive?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** sha256 hex of a file's contents, computed on the host; null when missing. */
  hash(path: string): Promise<string | null>;
  /** Releases connections. */
  close(): Promise<void>;
}
