// onlyif / unless / creates: commands run through the Host (`sh -c`), in the dry run too.
import type { Host } from '../host/host.js';
import type { Chunk } from '../compile/types.js';

/** Returns a comment when the state must not run, else null. */
export async function checkConditions(host: Host, chunk: Chunk): Promise<string | null> {
  const { onlyif, unless, creates } = chunk.meta;
  const opts: { user?: string; cwd?: string } = {};
  if (typeof chunk.args.runas === 'string') opts.user = chunk.args.runas;
  if (typeof chunk.args.cwd === 'string') opts.cwd = chunk.args.cwd;
  for (const cmd of onlyif) {
    const r = await host.exec(['sh', '-c', cmd], opts);
    if (r.exitCode !== 0) return `onlyif condition is false: ${cmd}`;
  }
  if (unless.length) {
    let allTrue = true;
    for (const cmd of unless) {
      const r = await host.exec(['sh', '-c', cmd], opts);
      if (r.exitCode !== 0) {
        allTrue = false;
        break;
      }
    }
    if (allTrue) return `unless condition is true: ${unless.join('; ')}`;
  }
  if (creates.length) {
    const stats = await Promise.all(creates.map((p) => host.lstat(p)));
    if (stats.every((s) => s !== null)) return `All files in creates exist: ${creates.join(', ')}`;
  }
  return null;
}
