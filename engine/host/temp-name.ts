// The name of brine's temp file next to a target: `DIR/.NAME.brine-SUFFIX` (the temp sweep's
// pattern, temp-cleanup.ts). A path component holds at most 255 bytes: for a NAME near that limit
// the temp name keeps as much of NAME as fits (whole characters), so writing it still works.
import { posix } from 'node:path';

const NAME_MAX = 255;

export function tempPath(path: string, suffix: string): string {
  const tail = `.brine-${suffix}`;
  let base = posix.basename(path);
  const room = NAME_MAX - 1 - Buffer.byteLength(tail);
  if (Buffer.byteLength(base) > room) {
    const chars = [...base];
    while (Buffer.byteLength(chars.join('')) > room) chars.pop();
    base = chars.join('');
  }
  return posix.join(posix.dirname(path), `.${base}${tail}`);
}
