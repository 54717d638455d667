// Parsers for dpkg-query and apt-cache policy output (pure, so they are unit-tested as data).

/** One package as dpkg knows it. */
export interface DpkgEntry {
  /** Name with architecture where dpkg qualifies it (libc6:amd64), else the plain name. */
  binaryName: string;
  name: string;
  /** dpkg's selection: install, hold, deinstall, purge, unknown. */
  want: string;
  /** dpkg's status: installed, config-files, not-installed, unpacked, half-installed... */
  status: string;
  version: string;
}

/** What apt would install. */
export interface AptPolicy {
  /** null when apt has no candidate (virtual package, or not in any enabled repo). */
  candidate: string | null;
  /** Every version apt knows, highest first. */
  versions: string[];
}

/** Parses `dpkg-query -W -f '${binary:Package}\t${Package}\t${Status}\t${Version}\n'`. */
export function parseDpkgQuery(out: string): DpkgEntry[] {
  const entries: DpkgEntry[] = [];
  for (const line of out.split('\n')) {
    const [binaryName, name, status, version] = line.split('\t');
    if (!binaryName || !name || !status) continue;
    const [want = 'unknown', , st = 'not-installed'] = status.split(' ');
    entries.push({ binaryName, name, want, status: st, version: version ?? '' });
  }
  return entries;
}

/** Parses `apt-cache policy NAME...` into candidate and version table per requested name. */
export function parseAptPolicy(out: string): Map<string, AptPolicy> {
  const map = new Map<string, AptPolicy>();
  let cur: AptPolicy | null = null;
  for (const line of out.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      cur = { candidate: null, versions: [] };
      map.set(head[1]!, cur);
      continue;
    }
    if (!cur) continue;
    const cand = /^ {2}Candidate: (.+)$/.exec(line);
    if (cand) {
      cur.candidate = cand[1] === '(none)' ? null : cand[1]!;
      continue;
    }
    const ver = /^ (?:\*\*\*| {3}) (\S+) -?\d+$/.exec(line);
    if (ver && !cur.versions.includes(ver[1]!)) cur.versions.push(ver[1]!);
  }
  return map;
}

/** dpkg statuses that mean "installed and usable". */
export function isInstalled(e: DpkgEntry | undefined): boolean {
  return !!e && (e.status === 'installed' || e.status === 'triggers-awaited' || e.status === 'triggers-pending');
}

/** Anything left on disk (configuration files included): what purge removes. */
export function hasTraces(e: DpkgEntry | undefined): boolean {
  return !!e && e.status !== 'not-installed';
}

/**
 * The packages dpkg's status file (/var/lib/dpkg/status) says are installed, by name and by
 * name:arch: a quick guess for a host whose files are read in-process (installed.ts), not facts.
 */
export function installedInStatus(text: string): Set<string> {
  const out = new Set<string>();
  for (const stanza of text.split(/\n(?=Package: )/)) {
    const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
    const status = /^Status: \S+ \S+ (\S+)$/m.exec(stanza)?.[1];
    if (!name || !isInstalled({ status } as DpkgEntry)) continue;
    out.add(name);
    const arch = /^Architecture: (\S+)$/m.exec(stanza)?.[1];
    if (arch) out.add(`${name}:${arch}`);
  }
  return out;
}
