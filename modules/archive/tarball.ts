// What archive.extracted knows about a tar archive: its compression (from the magic bytes, as
// tar cannot guess on a pipe), its members, its single top-level directory, and the hash check.
import { createHash } from 'node:crypto';

/** tar's flag for the compression of `data` ('' for a plain tar). */
export function compressionFlag(data: Buffer): string {
  if (data[0] === 0x1f && data[1] === 0x8b) return '-z';
  if (data.subarray(0, 3).toString('latin1') === 'BZh') return '-j';
  if (data.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return '-J';
  if (data.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return '--zstd';
  return '';
}

/** Member paths as `tar -t` lists them, normalised: no leading ./, no trailing slash, no empties. */
export function members(listing: string): string[] {
  const out = listing
    .split('\n')
    .map((l) => l.replace(/^(\.\/)+/, '').replace(/\/+$/, ''))
    .filter((l) => l && l !== '.');
  return [...new Set(out)];
}

/** The archive's top-level entries. */
export const topLevel = (ms: string[]): string[] => [...new Set(ms.map((m) => m.split('/')[0]!))];

const ALGOS: Record<number, string> = {
  32: 'md5',
  40: 'sha1',
  56: 'sha224',
  64: 'sha256',
  96: 'sha384',
  128: 'sha512',
};

/** Salt's source_hash: `algo=hex`, or a bare hex digest (the algorithm from its length). null: acceptable. */
export function hashMismatch(data: Buffer, sourceHash: string): string | null {
  const m = /^(?:(\w+)[=:])?\s*([0-9a-fA-F]+)\s*$/.exec(sourceHash.trim().split(/\s+/)[0] ?? '');
  if (!m) return `source_hash '${sourceHash}' is not a hash (algo=HEX or HEX)`;
  const algo = (m[1] ?? ALGOS[m[2]!.length] ?? '').toLowerCase();
  if (!algo) return `source_hash '${sourceHash}': cannot tell the algorithm from a ${m[2]!.length}-digit hash`;
  let got: string;
  try {
    got = createHash(algo).update(data).digest('hex');
  } catch {
    return `source_hash: unknown hash algorithm '${algo}'`;
  }
  return got === m[2]!.toLowerCase()
    ? null
    : `source_hash mismatch: ${algo} of the archive is ${got}, expected ${m[2]!.toLowerCase()}`;
}
