// --root is a jail: a path as states name it resolves inside the root, symlinks included, like
// openat2(2) with RESOLVE_IN_ROOT. An absolute link target (`/etc/foo -> /etc/bar`, Debian's
// `/var/run -> /run`) starts again at the root, `..` never climbs above it, so no path, however
// its links point, reaches the real filesystem outside the root.
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

const MAX_LINKS = 40; // the kernel's limit (ELOOP)

const split = (p: string): string[] => p.split('/').filter((s) => s && s !== '.');

/**
 * The path `p` (absolute, as states name it) with its symlinks resolved inside `root`, returned as
 * a path within the root ('/run/x'). followLast: resolve the last component too (stat, open);
 * off for lstat/readlink/unlink/rename, which act on the link itself.
 */
export function resolveInRoot(root: string, p: string, followLast: boolean): string {
  let todo = split(p);
  const done: string[] = [];
  let links = 0;
  while (todo.length) {
    const name = todo.shift()!;
    if (name === '..') {
      done.pop();
      continue;
    }
    if (!todo.length && !followLast) {
      done.push(name);
      break;
    }
    const real = join(root, ...done, name);
    let target: string | null = null;
    try {
      if (lstatSync(real).isSymbolicLink()) target = readlinkSync(real);
    } catch {
      // missing (or not a directory): the rest stays as written
    }
    if (target === null) {
      done.push(name);
      continue;
    }
    if (++links > MAX_LINKS)
      throw Object.assign(new Error(`too many levels of symbolic links: ${p}`), { code: 'ELOOP' });
    if (target.startsWith('/')) done.length = 0;
    todo = [...split(target), ...todo];
  }
  return `/${done.join('/')}`;
}
