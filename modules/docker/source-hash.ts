// Fingerprints of an image's source, computed on the host (the context never travels back):
// a build context or import directory hashes every entry's type, mode, path, link target and
// contents (a git checkout's own .git/ left out: a fetch or a branch move that changes no file is
// not a new source); a file hashes its bytes. The image records the fingerprint as a label, so a later run
// knows whether the source changed since the image was made.

import { createHash } from 'node:crypto';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';
import { CommandError } from '../../engine/errors.js';

export const SOURCE_LABEL = 'brine.source-hash';

const DIR_HASH = [
  'cd "$1" || exit 3',
  '{ find . -path ./.git -prune -o -printf "%y %m %p %l\\n" | LC_ALL=C sort; find . -path ./.git -prune -o -type f ' +
    '-print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum; } | sha256sum | cut -d" " -f1',
].join('\n');

/** sha256 of a directory tree on the host, or null when it is not a directory. */
export async function hashDir(host: Host, dir: string): Promise<string | null> {
  const st = await host.stat(dir);
  if (!st || st.type !== 'directory') return null;
  const r = await shell(host, DIR_HASH, [dir], { timeoutMs: 300_000 });
  if (r.exitCode !== 0) throw new CommandError(r, `hashing ${dir}`);
  return r.stdout.trim();
}

/** The hash of a directory or a file on the host; null when the path is missing. */
export async function hashPath(host: Host, path: string): Promise<string | null> {
  const st = await host.stat(path);
  if (!st) return null;
  return st.type === 'directory' ? hashDir(host, path) : host.hash(path);
}

/** Combines the source hash with the options that shape the image (dockerfile, build args...). */
export function sourceFingerprint(kind: string, hash: string, options: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, hash, options]))
    .digest('hex');
}
