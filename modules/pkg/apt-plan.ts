// What apt would do for `install ...`/`remove ...`/`purge ...`, without its simulator: `apt-get
// --print-uris -V` resolves the request exactly as `apt-get -s` does (the same packages, versions and
// removals) but skips pkgSimulate, which re-checks the dependencies of every package after each
// simulated unpack (on the appliance's 21 pending packages, about 60% of apt's CPU). Its sections
// (-V: with versions) say what changes; its URI list gives the order: the order apt fetches and
// unpacks the packages in (for the appliance the order of `apt-get -s`'s Inst lines). The archive
// directory points nowhere, so a package already downloaded is listed too. What apt would remove comes
// last, in its section's (alphabetical) order, at the version dpkg has installed (-V shows the
// candidate there).
import type { Change } from '../../engine/contract.js';
import { APT_READ_FN, READ_OPTS } from './apt-read.js';
import { isInstalled, parseDpkgQuery } from './parse.js';

/** Options of the resolution: a read's (READ_OPTS), versions, apt's AutoInstall account on stderr. */
export const PLAN_OPTS = [
  '--print-uris',
  ...READ_OPTS,
  '-V',
  '-o Dir::Cache::Archives=/nonexistent/brine',
  '-o Debug::pkgDepCache::AutoInstall=1',
].join(' ');

/** `sh -c SCRIPT sh install|remove|purge [opts] specs...`: apt's answer, then dpkg's view of the removed. */
export const APT_PLAN_SCRIPT = `${APT_READ_FN}
out=$(aptr apt-get ${PLAN_OPTS} "$@" </dev/null)
rc=$?
printf '%s\\n' "$out"
[ "$rc" -eq 0 ] || exit "$rc"
section='/^The following packages will be REMOVED:$/,/^[^ ]/'
rm=$(printf '%s\\n' "$out" | sed -n "$section"'s/^ \\{1,\\}\\([^ *]\\{1,\\}\\).*$/\\1/p')
echo @@brine-installed
[ -z "$rm" ] || dpkg-query -W -f '\${binary:Package}\\t\${Package}\\t\${Status}\\t\${Version}\\n' $rm 2>/dev/null
exit 0
`;

type Section = 'create' | 'update' | 'delete' | null;

function sectionOf(head: string): Section {
  if (!head.startsWith('The following ')) return null;
  if (/^The following NEW packages will be installed:$/.test(head)) return 'create';
  if (/^The following packages will be (?:upgraded|DOWNGRADED):$/.test(head)) return 'update';
  if (/^The following packages will be REMOVED:$/.test(head)) return 'delete';
  return null;
}

/** The position of each package in apt's URI list (`'URI' name_version_arch.deb size hash`). */
function uriOrder(lines: string[]): Map<string, number> {
  const order = new Map<string, number>();
  for (const line of lines) {
    const m = /^'[^']*' ([^_\s]+)_[^_\s]+_([^_\s]+)\.deb /.exec(line);
    if (!m) continue;
    if (!order.has(m[1]!)) order.set(m[1]!, order.size);
    order.set(`${m[1]}:${m[2]}`, order.get(m[1]!)!);
  }
  return order;
}

/** Parses APT_PLAN_SCRIPT's output into changes (installs and upgrades in apt's order, removals last). */
export function parseAptPlan(stdout: string): Change[] {
  const [aptOut = '', dpkgOut = ''] = stdout.split('@@brine-installed\n');
  const lines = aptOut.split('\n');
  const installed = parseDpkgQuery(dpkgOut).filter(isInstalled);
  const installedVersion = (name: string) =>
    (installed.find((e) => e.binaryName === name) ?? installed.find((e) => e.name === name))?.version;
  const installs: Change[] = [];
  const removals: Change[] = [];
  let section: Section = null;
  for (const line of lines) {
    if (!line.startsWith(' ')) {
      section = sectionOf(line);
      continue;
    }
    if (!section) continue;
    const m = /^\s+([^\s*]+)\*?(?: \((.+)\))?$/.exec(line);
    if (!m) continue;
    const target = m[1]!;
    if (section === 'delete') {
      const before = installedVersion(target);
      removals.push({ op: 'delete', target, ...(before ? { before } : {}) });
      continue;
    }
    const v = /^(\S+) => (\S+)$/.exec(m[2] ?? '');
    if (section === 'update' && v) installs.push({ op: 'update', target, before: v[1], after: v[2] });
    else if (section === 'create' && m[2]) installs.push({ op: 'create', target, after: m[2] });
  }
  const order = uriOrder(lines);
  const pos = (c: Change) => order.get(c.target) ?? order.get(c.target.replace(/:[^:]*$/, '')) ?? order.size;
  // a stable sort: what apt does not download (none here) stays in its section's order, after the rest
  return [...installs.sort((a, b) => pos(a) - pos(b)), ...removals];
}
