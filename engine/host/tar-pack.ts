// A tar archive of regular files in GNU format, for GNU tar on a target to extract (ssh-ops-tar.ts):
// a 512-byte header per file (a `././@LongLink` record first when the name is over 100 bytes), the
// data padded to 512 bytes, two zero blocks, the whole padded to tar's 10240-byte record.
// Owner fields are 0 and empty: the target extracts with --no-same-owner.

export interface TarFile {
  /** The member's name as tar stores it (e.g. `./srv/app/.brine-stage-X/a.conf`). */
  name: string;
  data: Buffer;
  /** Permission bits, special bits included. */
  mode: number;
}

const BLOCK = 512;
const RECORD = 20 * BLOCK;

function field(h: Buffer, at: number, len: number, v: number): void {
  h.write(`${v.toString(8).padStart(len - 1, '0')}\0`, at, len, 'ascii');
}

function header(name: Buffer, size: number, mode: number, type: string, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0, 0, Math.min(name.length, 100));
  field(h, 100, 8, mode & 0o7777);
  field(h, 108, 8, 0);
  field(h, 116, 8, 0);
  field(h, 124, 12, size);
  field(h, 136, 12, mtime);
  h.write(type, 156, 1, 'ascii');
  h.write('ustar  \0', 257, 8, 'ascii');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

const pad = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

export function tarPack(files: TarFile[]): Buffer {
  const mtime = Math.floor(Date.now() / 1000);
  const parts: Buffer[] = [];
  for (const f of files) {
    const name = Buffer.from(f.name);
    if (name.length > 100) {
      const long = Buffer.concat([name, Buffer.alloc(1)]);
      parts.push(header(Buffer.from('././@LongLink'), long.length, 0, 'L', 0), long, pad(long.length));
    }
    parts.push(header(name, f.data.length, f.mode, '0', mtime), f.data, pad(f.data.length));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  const size = parts.reduce((n, p) => n + p.length, 0);
  parts.push(Buffer.alloc((RECORD - (size % RECORD)) % RECORD));
  return Buffer.concat(parts);
}
