// What archive.extracted knows about a tar archive: its compression (from the magic bytes, as
// tar cannot guess on a pipe), its members, its single top-level directory, and the hash check.

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

// the hash check is Salt's source_hash, shared with file.managed's remote sources
export { hashMismatch } from '../../engine/source-hash.js';
