// Salt's source_hash: `algo=hex` or a bare hex digest (the algorithm from its length), or, from a
// hash file (a URL or salt:// source), the hash on the line naming the file (`sha256sum` output).
import { createHash } from 'node:crypto';

const ALGOS: Record<number, string> = {
  32: 'md5',
  40: 'sha1',
  56: 'sha224',
  64: 'sha256',
  96: 'sha384',
  128: 'sha512',
};

/** Salt's source_hash: `algo=hex`, or a bare hex digest (the algorithm from its length). null: acceptable. */
export function hashMismatch(data: Buffer, sourceHash: string, what = 'the archive'): string | null {
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
    : `source_hash mismatch: ${algo} of ${what} is ${got}, expected ${m[2]!.toLowerCase()}`;
}

/**
 * The hash for `file` (a base name) in a hash file's text: the hex digest on a line that names
 * the file (or `name` when given, Salt's source_hash_name), else the only digest the text holds.
 */
export function pickHash(text: string, file: string, name?: string): string | null {
  const want = name ?? file;
  const hexes = (l: string) => l.match(/\b[0-9a-fA-F]{32,128}\b/g)?.filter((h) => ALGOS[h.length]) ?? [];
  for (const line of text.split('\n')) {
    const words = line
      .trim()
      .split(/\s+/)
      .map((w) => w.replace(/^\*/, ''));
    if (words.some((w) => w === want || w.endsWith(`/${want}`)) && hexes(line).length) return hexes(line)[0]!;
  }
  const all = text.split('\n').flatMap(hexes);
  return all.length === 1 ? all[0]! : null;
}
