// Drives file/cmd state functions through the contract for the suite: gather -> plan -> apply ->
// gather -> plan, with a real statesDir (salt:// sources) and nunjucks for `template: jinja`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import type { Host } from '../../../engine/host/host.js';
import type { ApplyOutput, Change, StateCtx, StateFunction } from '../../../engine/contract.js';

export function ctxFor<A extends Record<string, unknown>>(args: A, statesDir: string): StateCtx<A> {
  const env = new nunjucks.Environment(null, { autoescape: false });
  return {
    id: String(args.name),
    name: String(args.name),
    args,
    statesDir,
    renderTemplate: async (text, _file, context) =>
      env.renderString(text, { pillar: { who: 'pillar-value' }, ...(context ?? {}) }),
    readSource: async (source) => readFile(source.startsWith('salt://') ? join(statesDir, source.slice(7)) : source),
    log: { debug() {}, info() {}, warn() {} },
  };
}

export async function planOf<A extends Record<string, unknown>>(
  host: Host,
  fn: StateFunction<A>,
  args: A,
  statesDir: string,
  extra: Partial<StateCtx<A>> = {},
): Promise<Change[]> {
  const ctx = { ...ctxFor(args, statesDir), ...extra };
  return fn.plan(args, await fn.gather(host, args, ctx), ctx);
}

export interface Converged {
  planned: Change[];
  output: ApplyOutput | void;
  replanned: Change[];
}

export async function converge<A extends Record<string, unknown>>(
  host: Host,
  fn: StateFunction<A>,
  args: A,
  statesDir: string,
  extra: Partial<StateCtx<A>> = {},
): Promise<Converged> {
  const ctx = { ...ctxFor(args, statesDir), ...extra };
  const facts = await fn.gather(host, args, ctx);
  const planned = fn.plan(args, facts, ctx);
  const output = planned.length ? await fn.apply(host, planned, { ...ctx, facts }) : undefined;
  const replanned = fn.plan(args, await fn.gather(host, args, ctx), ctx).filter((c) => c.op !== 'run');
  return { planned, output, replanned };
}

/** A fingerprint of a directory tree on the host: names, types, modes, owners, link targets, contents. */
export async function treeHash(host: Host, dir: string): Promise<string> {
  const r = await host.exec([
    'sh',
    '-c',
    'cd "${BRINE_ROOT-}$1" && { find . -printf "%p %y %m %u %g %l\\n" | LC_ALL=C sort; find . -type f -print0 | ' +
      'LC_ALL=C sort -z | xargs -0 -r sha256sum; } | sha256sum',
    'sh',
    dir,
  ]);
  if (r.exitCode !== 0) throw new Error(`treeHash ${dir}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Counts exec round trips (to prove batching). The wrapper is named `counted:<name>`, so the file
 * module treats it as a remote host and reads facts with its batched shell probe.
 */
export function countingHost(host: Host): { host: Host; execs: () => number } {
  let n = 0;
  const h: Host = {
    name: `counted:${host.name}`,
    exec: (argv, opts) => {
      n++;
      return host.exec(argv, opts);
    },
    readFile: (p) => host.readFile(p),
    writeFileAtomic: (p, d, o) => host.writeFileAtomic(p, d, o),
    stat: (p) => host.stat(p),
    lstat: (p) => host.lstat(p),
    readlink: (p) => host.readlink(p),
    mkdir: (p, o) => host.mkdir(p, o),
    remove: (p, o) => host.remove(p, o),
    rename: (a, b) => host.rename(a, b),
    hash: (p) => host.hash(p),
    close: () => host.close(),
  };
  return { host: h, execs: () => n };
}
