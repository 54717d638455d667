// Atomic file replacement on the local filesystem: a temp file in the same directory created
// with the final mode (O_CREAT|O_EXCL, then fchmod so the umask cannot widen or narrow it),
// chowned, written, fsynced, renamed over the target, and the directory fsynced.

import { randomBytes } from 'node:crypto';
import { constants, promises as fs, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { StateError } from '../errors.js';
import { gidOf, uidOf } from './local-ids.js';
import type { WriteOptions } from './host.js';
import { tempPath } from './temp-name.js';

/** Temp files being written right now: a run abandoned by a signal removes them (removeInFlightTemps). */
const inFlight = new Set<string>();

/** Removes the temp files of writes still in flight (synchronously: called right before exit). */
export function removeInFlightTemps(): string[] {
  const gone = [...inFlight];
  for (const t of gone) rmSync(t, { force: true });
  inFlight.clear();
  return gone;
}

export async function writeFileAtomicLocal(
  path: string,
  data: string | Buffer,
  opts: WriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const tmp = tempPath(path, randomBytes(6).toString('hex'));
  let old: import('node:fs').Stats | null = null;
  try {
    old = await fs.stat(path);
  } catch {
    old = null;
  }
  // Unspecified mode/owner keep the replaced file's, else 0644 root.
  const mode = opts.mode ?? (old ? old.mode & 0o7777 : 0o644);
  const uid = opts.owner !== undefined ? uidOf(opts.owner) : old ? old.uid : -1;
  const gid = opts.group !== undefined ? gidOf(opts.group) : old ? old.gid : -1;
  if (uid === undefined) throw new StateError(path, `unknown user '${opts.owner}'`);
  if (gid === undefined) throw new StateError(path, `unknown group '${opts.group}'`);
  inFlight.add(tmp);
  try {
    await writeTemp(tmp, path, dir, data, mode, uid, gid);
  } finally {
    inFlight.delete(tmp);
  }
}

async function writeTemp(
  tmp: string,
  path: string,
  dir: string,
  data: string | Buffer,
  mode: number,
  uid: number,
  gid: number,
): Promise<void> {
  const fh = await fs.open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode & 0o600);
  try {
    if (uid !== -1 || gid !== -1) await fh.chown(uid, gid);
    await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  const dh = await fs.open(dir, constants.O_RDONLY);
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
