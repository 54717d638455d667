// The Host a state's apply sees inside a wave (wave.ts): its changes are recorded as HostOps, to be
// made with the other states' in one Host.applyOps call, and succeed at once (a failure shows in
// the batch's result for that state). A state that runs commands (StateFunction.wave.commands) has
// its commands recorded with their options; their answers come back in the batch's result.
// Anything else that needs an answer from the machine (a read, a command with stdin, or one whose
// output matters to another function) throws NotBatchable: the state then applies on its own after
// the wave, exactly as without waves.
import type { ExecOptions, ExecResult, FileStat, Host, HostOp, WriteOptions } from '../host/host.js';
import { opUnfit } from '../host/ssh-ops.js';

/** This apply needs the machine's answer before it goes on: it cannot join a wave. */
export class NotBatchable extends Error {
  constructor(what: string) {
    super(`not batchable: ${what}`);
    this.name = 'NotBatchable';
  }
}

/**
 * Largest file a wave carries (bigger ones are written on their own, streamed in one exec channel:
 * SshHost.writeFileAtomic). A wave carries 64 MiB in all (wave.ts).
 */
export const WAVE_FILE_BYTES = 64 * 1024 * 1024;

export class RecordingHost implements Host {
  readonly ops: HostOp[] = [];
  readonly name: string;
  /** Bytes of file contents recorded. */
  bytes = 0;

  /**
   * `commands`: the state's commands are what it does (StateFunction.wave.commands): they are
   * recorded with their options and their answers come back from the batch.
   */
  constructor(
    real: Host,
    private readonly commands = false,
  ) {
    this.name = real.name;
  }

  private add(op: HostOp): void {
    const bad = opUnfit(op);
    if (bad) throw new NotBatchable(bad);
    this.ops.push(op);
  }

  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.commands) {
      if (opts.readOnly || opts.stdin !== undefined) throw new NotBatchable(`${argv[0]} with stdin`);
      const { env, user, cwd, timeoutMs } = opts;
      this.add({
        op: 'exec',
        argv,
        output: true,
        ...(env ? { env } : {}),
        ...(user ? { user } : {}),
        ...(cwd ? { cwd } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
      // the answer comes from the batch (StateFunction.wave.commands.output)
      return { argv, exitCode: 0, stdout: '', stderr: '' };
    }
    if (opts.readOnly || opts.stdin !== undefined || opts.env || opts.user || opts.cwd || opts.timeoutMs) {
      throw new NotBatchable(`${argv[0]} with options`);
    }
    this.add({ op: 'exec', argv });
    return { argv, exitCode: 0, stdout: '', stderr: '' };
  }

  async writeFileAtomic(path: string, data: string | Buffer, opts: WriteOptions = {}): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (buf.length > WAVE_FILE_BYTES) throw new NotBatchable(`${path}: ${buf.length} bytes`);
    this.add({ op: 'write', path, data: buf, ...opts });
    this.bytes += buf.length;
  }

  async mkdir(path: string, opts: { mode?: number; recursive?: boolean } = {}): Promise<void> {
    // umask makes ordinary modes exact; special bits, or a mode without u+wx (mkdir -p gives parents u+wx), do not
    // travel
    if (opts.mode !== undefined && (opts.mode & 0o7000 || (opts.mode & 0o700) !== 0o700))
      throw new NotBatchable(`mkdir mode ${opts.mode.toString(8)}`);
    this.add({ op: 'mkdir', path, ...opts });
  }

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    this.add({ op: 'remove', path, ...opts });
  }

  async rename(from: string, to: string): Promise<void> {
    this.add({ op: 'rename', from, to });
  }

  async readFile(path: string): Promise<Buffer | null> {
    throw new NotBatchable(`read ${path}`);
  }

  async stat(path: string): Promise<FileStat | null> {
    throw new NotBatchable(`stat ${path}`);
  }

  async lstat(path: string): Promise<FileStat | null> {
    throw new NotBatchable(`lstat ${path}`);
  }

  async readlink(path: string): Promise<string | null> {
    throw new NotBatchable(`readlink ${path}`);
  }

  async hash(path: string): Promise<string | null> {
    throw new NotBatchable(`hash ${path}`);
  }

  async close(): Promise<void> {}
}
