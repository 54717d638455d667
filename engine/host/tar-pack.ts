// A tar archive of regular files, built in memory for GNU tar on a target to extract (ssh-ops-tar.ts):
// node-tar's Header encodes each member's 512-byte header and, when a name does not fit the ustar
// fields (over 100 bytes without a split at a `/`, or not ASCII), a Pax extended header carries it.
// Owner fields are 0 and empty: the target extracts with --no-same-owner. The data is padded to
// 512 bytes, then two zero blocks end the archive, the whole padded to tar's 10240-byte record.
import { Header } from 'tar/header';
import { Pax } from 'tar/pax';

export interface TarFile {
  /** The member's name as tar stores it (e.g. `./srv/app/.brine-stage-X/a.conf`). */
  name: string;
  data: Buffer;
  /** Permission bits, special bits included. */
  mode: number;
}

const BLOCK = 512;
const RECORD = 20 * BLOCK;

const pad = (n: number, to = BLOCK) => Buffer.alloc((to - (n % to)) % to);

export function tarPack(files: TarFile[]): Buffer {
  const mtime = new Date();
  const parts: Buffer[] = [];
  for (const f of files) {
    const block = Buffer.alloc(BLOCK);
    const header = new Header({
      path: f.name,
      mode: f.mode & 0o7777,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      size: f.data.length,
      mtime,
      type: 'File',
    });
    if (header.encode(block)) parts.push(new Pax({ path: f.name }).encode());
    parts.push(block, f.data, pad(f.data.length));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  parts.push(
    pad(
      parts.reduce((n, p) => n + p.length, 0),
      RECORD,
    ),
  );
  return Buffer.concat(parts);
}
