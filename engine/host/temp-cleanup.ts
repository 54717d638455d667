// Temp files a killed run left next to its targets (`.NAME.brine-XXXX`, see local-write.ts,
// ssh.ts, ssh-sudo-files.ts, file.copy/symlink) and the staging directories of a wave's files
// (`.brine-stage-XXXX`, ssh-ops-tar.ts): the next run, holding the run lock, removes those in the
// directories it writes to that are older than its lock, so no other run's file is touched.
import { shell } from './exec.js';
import type { Host } from './host.js';
import { STAGE_REGEX } from './ssh-ops-tar.js';

/** The names brine gives its temp files (anchored on the whole path by find -regex). */
export const TEMP_REGEX = String.raw`.*/\.[^/]+\.brine-([0-9a-f]{12}|[A-Za-z0-9]{6}|(cp|ln)-[0-9]+-[0-9]+)`;

// one find for every directory (that exists and is no link), and only when the shell's glob saw a
// name like brine's there: a run with nothing left over starts no process.
// $1 the lock's time (epoch s) or, from the run lock's command (run-lock.ts), the lock file it has
// just written (older than it: no `date` to start), then the directories.
export const SWEEP_SCRIPT =
  `s=$1; shift
case $s in /*) n=-newer ;; *) n=-newermt s="@$s" ;; esac
r="\${BRINE_ROOT-}"
c=
for d; do
  shift; [ -d "$r$d" ] && [ ! -L "$r$d" ] || continue
  set -- "$@" "$r$d"
  [ -n "$c" ] || for x in "$r$d"/.*brine-*; do [ -e "$x" ] || [ -L "$x" ] && c=1; break; done
done
[ -n "$c" ] || exit 0
find "$@" -mindepth 1 -maxdepth 1 -regextype posix-extended ! $n "$s" \\( \\( -type f -o -type l \\) ` +
  `-regex '${TEMP_REGEX}' -print -delete -o -type d -regex '${STAGE_REGEX}' -print ` +
  `-exec rm -rf -- {} + \\) 2>/dev/null |
  while IFS= read -r p; do printf '%s\\n' "\${p#"$r"}"; done
exit 0`;

/** Removes stale temp files in dirs (paths as states name them); returns what it removed. */
export async function cleanStaleTemps(host: Host, dirs: string[], sinceEpochS: number): Promise<string[]> {
  if (!dirs.length) return [];
  const resolved = host.resolvePath ? await Promise.all(dirs.map((d) => host.resolvePath!(d))) : dirs;
  const r = await shell(host, SWEEP_SCRIPT, [String(sinceEpochS), ...new Set(resolved)]);
  return r.stdout.split('\n').filter(Boolean).sort();
}
