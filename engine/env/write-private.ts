// Writes a local file that holds secrets: created with mode 0600 (never briefly wider) in the
// target's directory, fsynced, renamed into place.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EnvError } from '../errors.js';

export function writePrivateFile(path: string, data: string, o: { overwrite?: boolean } = {}): void {
  if (!o.overwrite && existsSync(path)) throw new EnvError(path, 'exists already (use --force to overwrite it)');
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o600);
  } catch (e) {
    throw new EnvError(path, `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw new EnvError(path, `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
