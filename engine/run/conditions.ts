// onlyif / unless / creates: commands run through the Host (`sh -c`), in the dry run too. Over SSH
// every guard of the run is read before the first state, in the facts' round trip (guards are reads);
// in a wave (wave.ts) a command's guards travel with it and run on the target at its turn (Guards).
import { shell } from '../host/exec.js';
import type { ExecOptions, GuardSkip, Guards, Host } from '../host/host.js';
import type { Chunk } from '../compile/types.js';

/** Whether a path exists (lstat: a dangling symlink exists), when already known; undefined: ask the host. */
export type KnownExists = (path: string) => boolean | undefined;

/** A guard command's exit code when already known (read before the run); undefined: run it now. */
export type KnownGuard = (chunk: Chunk, cmd: string) => number | undefined;

/** How a state's guards run: as its `runas`, in its `cwd`. */
function guardOptions(chunk: Chunk): { user?: string; cwd?: string } {
  const opts: { user?: string; cwd?: string } = {};
  if (typeof chunk.args.runas === 'string') opts.user = chunk.args.runas;
  if (typeof chunk.args.cwd === 'string') opts.cwd = chunk.args.cwd;
  return opts;
}

const guardKey = (chunk: Chunk, cmd: string): string => {
  const o = guardOptions(chunk);
  return JSON.stringify([cmd, o.user ?? null, o.cwd ?? null]);
};

/**
 * The exit code of every onlyif/unless command of the run (once per command, user and cwd), each
 * started as the state would start it, read-only: over SSH they share the facts' exec channel
 * (ssh-coalesce.ts), so guards cost no round trip of their own. Valid until the first change is
 * applied; locally (in-process host) each guard runs when its state comes.
 */
export async function prefetchGuards(chunks: Chunk[], host: Host): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (host.inProcess) return out;
  const todo = new Map<string, { cmd: string; opts: ExecOptions }>();
  for (const c of chunks) {
    for (const cmd of [...c.meta.onlyif, ...c.meta.unless]) {
      const k = guardKey(c, cmd);
      if (!todo.has(k)) todo.set(k, { cmd, opts: { ...guardOptions(c), readOnly: true } });
    }
  }
  await Promise.all(
    [...todo].map(async ([k, g]) => {
      try {
        out.set(k, (await host.exec(['sh', '-c', g.cmd], g.opts)).exitCode);
      } catch {
        // the state runs its guard itself
      }
    }),
  );
  return out;
}

/** A KnownGuard over prefetched exit codes; `valid` says whether they still hold (nothing applied). */
export function knownGuards(codes: Map<string, number>, valid: () => boolean): KnownGuard {
  return (chunk, cmd) => (valid() ? codes.get(guardKey(chunk, cmd)) : undefined);
}

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

/** Whether the state has onlyif/unless/creates. */
export const hasGuards = (chunk: Chunk): boolean =>
  chunk.meta.onlyif.length > 0 || chunk.meta.unless.length > 0 || chunk.meta.creates.length > 0;

/** The state's guards as a batch carries them (a `guard` HostOp), run as checkConditions runs them. */
export function guardsOf(chunk: Chunk): Guards {
  const { onlyif, unless, creates } = chunk.meta;
  return { onlyif: [...onlyif], unless: [...unless], creates: [...creates], ...guardOptions(chunk) };
}

/** The comment of a state its guard skipped (the same words whether it ran here or in a batch). */
export function skipComment(chunk: Chunk, skip: GuardSkip): string {
  const { onlyif, unless, creates } = chunk.meta;
  switch (skip.kind) {
    case 'onlyif':
      return `onlyif condition is false: ${onlyif[skip.index] ?? ''}`;
    case 'unless':
      return `unless condition is true: ${unless.join('; ')}`;
    case 'creates':
      return `All files in creates exist: ${creates.join(', ')}`;
  }
}

/**
 * Salt's order of the guards, over answers from anywhere: onlyif in order (the first false skips),
 * unless in order until one is false (all true skips), then creates (all exist skips). The skip
 * comment, null (the state runs), or undefined as soon as an answer is not to be had.
 */
async function decideGuards(
  chunk: Chunk,
  code: (cmd: string) => number | undefined | Promise<number | undefined>,
  exists: (path: string) => boolean | undefined | Promise<boolean | undefined>,
): Promise<string | null | undefined> {
  const { onlyif, unless, creates } = chunk.meta;
  for (const [index, cmd] of onlyif.entries()) {
    const c = await code(cmd);
    if (c === undefined) return undefined;
    if (c !== 0) return skipComment(chunk, { kind: 'onlyif', index });
  }
  if (unless.length) {
    let allTrue = true;
    for (const cmd of unless) {
      const c = await code(cmd);
      if (c === undefined) return undefined;
      if (c !== 0) {
        allTrue = false;
        break;
      }
    }
    if (allTrue) return skipComment(chunk, { kind: 'unless' });
  }
  if (creates.length) {
    const exist = await Promise.all(creates.map(exists));
    if (exist.some((e) => e === undefined)) return undefined;
    if (exist.every(Boolean)) return skipComment(chunk, { kind: 'creates' });
  }
  return null;
}

/**
 * checkConditions from what is already known only: the skip comment, null (the state runs), or
 * undefined when a guard's answer is not known (ask the host).
 */
export function knownConditions(
  chunk: Chunk,
  known?: KnownExists,
  guard?: KnownGuard,
): Promise<string | null | undefined> {
  return decideGuards(
    chunk,
    (cmd) => guard?.(chunk, cmd),
    (p) => known?.(p),
  );
}

/** Returns a comment when the state must not run, else null. */
export async function checkConditions(
  host: Host,
  chunk: Chunk,
  known?: KnownExists,
  guard?: KnownGuard,
): Promise<string | null> {
  const opts = guardOptions(chunk);
  const r = await decideGuards(
    chunk,
    async (cmd) => guard?.(chunk, cmd) ?? (await host.exec(['sh', '-c', cmd], opts)).exitCode,
    async (p) => known?.(p) ?? (await host.lstat(p)) !== null,
  );
  return r ?? null;
}
