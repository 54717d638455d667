// onlyif / unless / creates: commands run through the Host (`sh -c`), in the dry run too.
import { shell } from '../host/exec.js';
import type { Host } from '../host/host.js';
import type { Chunk } from '../compile/types.js';

/** Whether a path exists (lstat: a dangling symlink exists), when already known; undefined: ask the host. */
export type KnownExists = (path: string) => boolean | undefined;

// prints each given path that exists (as given; $BRINE_ROOT prefixed for the test), NUL-terminated
const EXISTS = `r="\${BRINE_ROOT-}"
for p; do if [ -e "$r$p" ] || [ -L "$r$p" ]; then printf '%s\\0' "$p"; fi; done
printf 'done\\0'`;

/**
 * Existence of every `creates` path of the run in one command per 2000 paths (over SSH; locally
 * each lstat is cheap already). Valid until the first change is applied, like batched facts.
 */
export async function prefetchCreates(chunks: Chunk[], host: Host): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  const paths = [...new Set(chunks.flatMap((c) => c.meta.creates))];
  if (!paths.length || host.inProcess) return out;
  for (let i = 0; i < paths.length; i += 2000) {
    const chunk = paths.slice(i, i + 2000);
    const r = await shell(host, EXISTS, chunk, { readOnly: true });
    const found = r.stdout.split('\0');
    if (r.exitCode !== 0 || found.at(-2) !== 'done') return new Map(); // each state asks on its own
    const have = new Set(found);
    for (const p of chunk) out.set(p, have.has(p));
  }
  return out;
}

/** Returns a comment when the state must not run, else null. */
export async function checkConditions(host: Host, chunk: Chunk, known?: KnownExists): Promise<string | null> {
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
    const exist = await Promise.all(creates.map(async (p) => known?.(p) ?? (await host.lstat(p)) !== null));
    if (exist.every(Boolean)) return `All files in creates exist: ${creates.join(', ')}`;
  }
  return null;
}
