// One apt cache load where several would do: the runner reads the facts of every state function at
// once, so the package reads (dpkg-query + apt-cache policy) and the install simulations (apt's
// resolution, apt-plan.ts) that the pkg functions ask for in the same moment are made by ONE command
// each per host. A shared simulation is split back per request with apt's own account of why it installs a
// package (Debug::pkgDepCache::AutoInstall: "Installing libx as Depends of nginx"): each request gets
// the packages it names and what they pull in; what apt does not explain goes to the first request.
// If apt refuses the combination (conflicting requests), each request is simulated on its own.
import type { ExecResult, Host } from '../../engine/host/host.js';
import type { Change } from '../../engine/contract.js';
import { APT_ENV } from './apt.js';
import { shell } from '../../engine/host/exec.js';
import { TickBatcher } from './tick-batcher.js';
import { APT_PLAN_SCRIPT, parseAptPlan } from './apt-plan.js';

/** `install [options] specs`: the options (the batch key) and the package specs. */
export function splitInstallArgv(argv: string[]): { opts: string[]; specs: string[] } | null {
  if (argv[0] !== 'install') return null;
  let i = 1;
  while (i < argv.length && argv[i]!.startsWith('-')) i += argv[i] === '-t' ? 2 : 1;
  return { opts: argv.slice(1, i), specs: argv.slice(i) };
}

/** A spec's package name: `nginx`, `nginx=1.2`, `nginx:amd64`, `nginx/bookworm` -> nginx. */
export const specName = (s: string): string => s.replace(/[=/].*$/, '').replace(/:[^:]*$/, '');

/** apt's AutoInstall debug lines: package -> the package it was installed for. */
export function parseWhy(out: string): Map<string, string> {
  const why = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^\s*(?:Installing|Upgrading|Removing|Downgrading|Reinstalling)\s+(\S+)\s+as\s+\S+\s+of\s+(\S+)/.exec(
      line,
    );
    if (m && !why.has(specName(m[1]!))) why.set(specName(m[1]!), specName(m[2]!));
  }
  return why;
}

/** Splits one simulation's changes over the requests (lists of spec names), as described above. */
export function splitSimulation(changes: Change[], why: Map<string, string>, requests: string[][]): Change[][] {
  const owner = new Map<string, number>();
  requests.forEach((names, i) => names.forEach((n) => owner.has(n) || owner.set(n, i)));
  const rootOf = (name: string): number => {
    const seen = new Set<string>();
    for (let n: string | undefined = name; n && !seen.has(n); n = why.get(n)) {
      seen.add(n);
      const o = owner.get(n);
      if (o !== undefined) return o;
    }
    return 0;
  };
  const out = requests.map((): Change[] => []);
  for (const c of changes) out[rootOf(specName(c.target))]!.push(c);
  return out;
}

/** Resolutions started ahead of their turn (simulateAhead), by host and argv. */
const started = new WeakMap<Host, Map<string, Promise<ExecResult>>>();

/** apt's resolution of argv: the one started ahead with the same argv, else a new one. */
function resolution(host: Host, argv: string[]): Promise<ExecResult> {
  const key = argv.join('\u0000');
  const ahead = started.get(host)?.get(key);
  if (ahead) {
    started.get(host)!.delete(key);
    return ahead;
  }
  return shell(host, APT_PLAN_SCRIPT, argv, { env: APT_ENV });
}

async function simulateOne(host: Host, argv: string[]): Promise<Change[]> {
  const r = await resolution(host, argv);
  return r.exitCode === 0 ? parseAptPlan(r.stdout) : [];
}

/** The argv of the one resolution for installs asked for at the same moment with the same options. */
function sharedArgv(reqs: string[][]): string[] {
  if (reqs.length === 1) return reqs[0]!;
  const parts = reqs.map((a) => splitInstallArgv(a)!);
  return ['install', ...parts[0]!.opts, ...new Set(parts.flatMap((p) => p.specs))];
}

const installs = new TickBatcher<string[], Change[]>(async (host, reqs) => {
  if (reqs.length === 1) return [await simulateOne(host, reqs[0]!)];
  const parts = reqs.map((a) => splitInstallArgv(a)!);
  const r = await resolution(host, sharedArgv(reqs));
  if (r.exitCode !== 0) return Promise.all(reqs.map((a) => simulateOne(host, a)));
  return splitSimulation(
    parseAptPlan(r.stdout),
    parseWhy(`${r.stdout}\n${r.stderr}`),
    parts.map((p) => p.specs.map(specName)),
  );
});

/**
 * Starts now the resolutions that simulateApt would make for these requests if they came in one
 * moment (so the same argv), for a caller that can tell them before it has every fact to be sure:
 * a later simulateApt with the same argv takes the answer instead of asking apt again. Returns the
 * function that forgets what no request took (call it once the requests are made).
 */
export function simulateAhead(host: Host, reqs: string[][]): () => void {
  const byOpts = new Map<string, string[][]>();
  for (const argv of reqs) {
    const split = splitInstallArgv(argv);
    const key = split ? `install ${split.opts.join('\u0000')}` : `alone ${byOpts.size}`;
    byOpts.set(key, [...(byOpts.get(key) ?? []), argv]);
  }
  let mine = started.get(host);
  if (!mine) started.set(host, (mine = new Map()));
  const keys: string[] = [];
  for (const [key, group] of byOpts) {
    const argv = key.startsWith('alone') ? group[0]! : sharedArgv(group);
    const k = argv.join('\u0000');
    if (mine.has(k)) continue;
    const p = shell(host, APT_PLAN_SCRIPT, argv, { env: APT_ENV });
    p.catch(() => {}); // not taken: nobody waits for it
    mine.set(k, p);
    keys.push(k);
  }
  return () => {
    for (const k of keys) mine.delete(k);
  };
}

/**
 * What apt would do for argv (`install ...`, `remove ...`), without doing it; [] when apt refuses
 * (the plan reports why). Installs asked for at the same moment with the same options share one
 * simulation.
 */
export function simulateApt(host: Host, argv: string[]): Promise<Change[]> {
  const split = splitInstallArgv(argv);
  if (!split) return simulateOne(host, argv);
  return installs.add(host, split.opts.join('\u0000'), argv);
}
