// Reads dpkg's and apt's view of a set of packages in ONE command on the host: dpkg-query for the
// installed state and selection (hold), apt-cache policy for candidates and known versions, and
// whether any package index is present at all.
import type { Host } from '../../engine/host/host.js';
import type { Change } from '../../engine/contract.js';
import { CommandError } from '../../engine/errors.js';
import { TickBatcher } from './tick-batcher.js';
import { APT_READ_FN } from './apt-read.js';
import { shell } from '../../engine/host/exec.js';
import { type AptPolicy, type DpkgEntry, isInstalled, parseAptPolicy, parseDpkgQuery } from './parse.js';
import { PKG_NAME } from './wanted.js';

export interface PkgState {
  /** Installed version, or null. */
  installed: string | null;
  /** dpkg status (installed, config-files, not-installed...), 'unknown' when dpkg never saw it. */
  status: string;
  held: boolean;
  /** What `apt-get install NAME` would install; null when apt has none. */
  candidate: string | null;
  /** Every version apt can install, highest first. */
  versions: string[];
}

export interface PkgFacts {
  pkgs: Record<string, PkgState>;
  /** false when /var/lib/apt/lists holds no package index (fresh system: apt-get update first). */
  listsPresent: boolean;
  /**
   * Other packages apt would install, upgrade or remove along with the planned ones (from its
   * simulation; read only when something is to change), so the dry run shows them too.
   */
  alongside?: Change[];
}

const FORMAT = '${binary:Package}\\t${Package}\\t${Status}\\t${Version}\\n';
const SCRIPT = `${APT_READ_FN}
if [ $# -gt 0 ]; then dpkg-query -W -f '${FORMAT}' "$@" 2>/dev/null; fi
echo @@brine-policy
if [ "$BRINE_POLICY" = 1 ] && [ $# -gt 0 ]; then aptr apt-cache policy "$@" 2>/dev/null; fi
echo @@brine-lists
ls /var/lib/apt/lists 2>/dev/null | grep -c '_Packages' || true
`;

const PKG_NAME_RE = new RegExp(PKG_NAME);

export const C_ENV = { LC_ALL: 'C', LANG: 'C' };

function pickEntry(entries: DpkgEntry[], name: string): DpkgEntry | undefined {
  if (name.includes(':')) return entries.find((e) => e.binaryName === name);
  return (
    entries.find((e) => e.binaryName === name) ??
    entries.find((e) => e.name === name && isInstalled(e)) ??
    entries.find((e) => e.name === name)
  );
}

function pickPolicy(map: Map<string, AptPolicy>, name: string): AptPolicy | undefined {
  return map.get(name) ?? (name.includes(':') ? undefined : [...map].find(([k]) => k.split(':')[0] === name)?.[1]);
}

/** Splits the gather script's output into per-package states. Exported for unit tests. */
export function parseFacts(stdout: string, names: string[]): PkgFacts {
  const [dpkgOut = '', rest = ''] = stdout.split('@@brine-policy\n');
  const [policyOut = '', listsOut = '0'] = rest.split('@@brine-lists\n');
  const entries = parseDpkgQuery(dpkgOut);
  const policy = parseAptPolicy(policyOut);
  const pkgs: Record<string, PkgState> = {};
  for (const name of names) {
    const e = pickEntry(entries, name);
    const p = pickPolicy(policy, name);
    pkgs[name] = {
      installed: isInstalled(e) ? e!.version : null,
      status: e?.status ?? 'unknown',
      held: e?.want === 'hold',
      candidate: p?.candidate ?? null,
      versions: p?.versions ?? [],
    };
  }
  return { pkgs, listsPresent: Number.parseInt(listsOut.trim(), 10) > 0 };
}

/**
 * One round trip for any number of packages. `policy: false` skips apt-cache (removal needs none).
 * Reads asked for in the same moment (the facts of every pkg function) share one command.
 */
export function readPackages(host: Host, names: string[], o: { policy: boolean }): Promise<PkgFacts> {
  const uniq = [...new Set(names)];
  if (!uniq.length) return Promise.resolve({ pkgs: {}, listsPresent: true });
  return reads.add(host, '', { names: uniq, policy: o.policy });
}

const reads = new TickBatcher<{ names: string[]; policy: boolean }, PkgFacts>(async (host, reqs) => {
  // a name that is no Debian package name (Salt takes any string) is not asked for: apt would read
  // it as a pattern; it stays unknown, so the state says no repository provides it
  const all = [...new Set(reqs.flatMap((r) => r.names))].filter((n) => PKG_NAME_RE.test(n));
  const policy = reqs.some((r) => r.policy);
  const r = await shell(host, SCRIPT, all, { env: { ...C_ENV, BRINE_POLICY: policy ? '1' : '0' } });
  if (r.exitCode !== 0) throw new CommandError(r, 'reading the package database failed');
  return reqs.map((q) => parseFacts(r.stdout, q.names));
}, 'microtask');
