// File operations for a non-root login: sftp runs as the login user, so every read and write goes
// through a small sh script under `sudo -n` instead (one exec each). Writes stay atomic: mktemp in
// the same directory (0600), data from stdin (its size checked), chmod/chown, sync, mv -f over the target.
import { StateError, TransportError } from '../errors.js';
import { type FileStat, fileTypeOfMode, type WriteOptions } from './host.js';
import { buildCommand } from './ssh-command.js';
import { tempPath } from './temp-name.js';

const MISSING = 44;

export interface RawExec {
  readonly name: string;
  readonly loginUser: string;
  execRaw(
    command: string,
    stdin: string | Buffer | undefined,
    timeoutMs: number,
    argv: string[],
    invalidates?: boolean,
  ): Promise<{ exitCode: number; stdout: Buffer; stderr: string }>;
}

const WRITE =
  `set -e
p=$1 mode=$2 owner=$3 group=$4 size=$5 tt=$6
t=$(mktemp -- "$tt")
trap 'rm -f -- "$t"' EXIT
cat > "$t"
# stdin ends early when the push dies: a file that did not arrive whole is not renamed
got=$(stat -c %s -- "$t")
[ "$got" = "$size" ] || { echo "the data did not arrive whole ($got of $size bytes)" >&2; exit 1; }
if [ -n "$owner" ]; then chown -- "$owner" "$t"; elif [ -e "$p" ]; then chown --reference="$p" -- "$t"; fi
if [ -n "$group" ]; then chgrp -- "$group" "$t"; elif [ -e "$p" ]; then chgrp --reference="$p" -- "$t"; fi
if [ -n "$mode" ]; then chmod -- "$mode" "$t"; elif [ -e "$p" ]; then chmod --reference="$p" -- "$t"; else chmod ` +
  `644 -- "$t"; fi
sync -- "$t"
mv -f -- "$t" "$p"
trap - EXIT`;

export class SudoFiles {
  constructor(private readonly h: RawExec) {}

  private async run(script: string, args: string[], stdin?: string | Buffer, invalidates = false) {
    const argv = ['sh', '-c', script, 'sh', ...args];
    const cmd = buildCommand(argv, {}, { loginUser: this.h.loginUser, timeoutMs: 10 * 60_000 });
    return this.h.execRaw(cmd, stdin, 10 * 60_000, argv, invalidates);
  }

  private fail(op: string, path: string, stderr: string): never {
    throw new TransportError(this.h.name, `${op} ${path}: ${stderr.trim() || 'failed'}`);
  }

  async readFile(path: string): Promise<Buffer | null> {
    const r = await this.run(`[ -e "$1" ] || exit ${MISSING}; exec cat -- "$1"`, [path]);
    if (r.exitCode === MISSING) return null;
    if (r.exitCode !== 0) this.fail('read', path, r.stderr);
    return r.stdout;
  }

  async stat(path: string, follow: boolean): Promise<FileStat | null> {
    const test = follow ? '[ -e "$1" ]' : '[ -e "$1" ] || [ -L "$1" ]';
    const r = await this.run(
      `${test} || exit ${MISSING}; exec stat ${follow ? '-L ' : ''}-c '%f %u %g %U %G %s %Y' -- "$1"`,
      [path],
    );
    if (r.exitCode === MISSING) return null;
    if (r.exitCode !== 0) this.fail('stat', path, r.stderr);
    const [modeHex, uid, gid, user, group, size, mtime] = r.stdout.toString('utf8').trim().split(' ');
    const mode = parseInt(modeHex ?? '0', 16);
    return {
      type: fileTypeOfMode(mode),
      mode: mode & 0o7777,
      uid: Number(uid),
      gid: Number(gid),
      user: user === 'UNKNOWN' ? String(uid) : (user ?? ''),
      group: group === 'UNKNOWN' ? String(gid) : (group ?? ''),
      size: Number(size),
      mtimeMs: Number(mtime) * 1000,
    };
  }

  async readlink(path: string): Promise<string | null> {
    const r = await this.run(`[ -L "$1" ] || exit ${MISSING}; exec readlink -- "$1"`, [path]);
    if (r.exitCode === MISSING) return null;
    if (r.exitCode !== 0) this.fail('readlink', path, r.stderr);
    return r.stdout.toString('utf8').replace(/\n$/, '');
  }

  async mkdir(path: string, o: { mode?: number; recursive?: boolean }): Promise<void> {
    const mode = o.mode !== undefined ? o.mode.toString(8) : '';
    const script = o.recursive
      ? '[ -d "$1" ] && exit 0; mkdir -p -- "$1"; [ -z "$2" ] || chmod -- "$2" "$1"'
      : 'mkdir -- "$1"; [ -z "$2" ] || chmod -- "$2" "$1"';
    const r = await this.run(`set -e; ${script}`, [path, mode], undefined, true);
    if (r.exitCode !== 0) this.fail('mkdir', path, r.stderr);
  }

  async rename(from: string, to: string): Promise<void> {
    const r = await this.run('exec mv -fT -- "$1" "$2"', [from, to], undefined, true);
    if (r.exitCode !== 0) this.fail('rename', `${from} -> ${to}`, r.stderr);
  }

  async writeFileAtomic(path: string, data: string | Buffer, o: WriteOptions): Promise<void> {
    const mode = o.mode !== undefined ? o.mode.toString(8).padStart(4, '0') : '';
    const size = String(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
    const r = await this.run(
      WRITE,
      [path, mode, o.owner ?? '', o.group ?? '', size, tempPath(path, 'XXXXXX')],
      data,
      true,
    );
    if (r.exitCode !== 0) {
      const unknown = unknownOwner(path, r.stderr, o);
      if (unknown) throw unknown;
      this.fail('write', path, r.stderr);
    }
  }
}

/** A write whose chown the target refused (`invalid user`/`invalid group`): the name it does not know. */
export function unknownOwner(path: string, why: string, o: WriteOptions): StateError | undefined {
  if (/invalid user/.test(why)) return new StateError(path, `unknown user '${o.owner}'`);
  if (/invalid group/.test(why)) return new StateError(path, `unknown group '${o.group}'`);
  return undefined;
}
