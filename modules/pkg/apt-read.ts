// apt's reads (apt-cache policy, apt's resolution of an install) without rebuilding its cache every
// time: where the system keeps no binary cache (`Dir::Cache::pkgcache ""`, as container images set
// it), each apt process parses every package list again (seconds of CPU). Reads then use a cache of
// brine's own, /var/cache/brine/apt/pkgcache.bin (apt rebuilds it when the lists or dpkg's status
// change, writing a temporary file and renaming it), so a run pays that once, not per apt call; the
// system's apt settings and the real installs are left alone. brine's reads of that cache take turns
// (flock on /var/cache/brine/apt/lock) when it may be stale (older than dpkg's status or the lists
// directory, or missing): one process rebuilds it and the others read the rebuilt cache instead of
// each building their own at the same time. A cache newer than both is read side by side (a shared
// lock: the apt-cache read and apt's resolution of a run at once). The wait is bounded (10 s; then
// the read goes ahead unlocked) and real installs never take the lock.

/** Shell function `aptr PROGRAM ARGS...`: runs an apt read with that cache where needed. */
export const APT_READ_FN = `aptr() {
  _p=$1; shift
  pc=; eval "$(apt-config shell pc Dir::Cache::pkgcache 2>/dev/null)"
  if [ -z "$pc" ] && mkdir -p /var/cache/brine/apt 2>/dev/null; then
    set -- -o Dir::Cache::pkgcache=/var/cache/brine/apt/pkgcache.bin "$@"
    if { command exec 8>>/var/cache/brine/apt/lock; } 2>/dev/null; then
      c=/var/cache/brine/apt/pkgcache.bin
      if [ "$c" -nt /var/lib/dpkg/status ] && [ "$c" -nt /var/lib/apt/lists ]; then
        flock -s -w 10 8 2>/dev/null
      else
        flock -w 10 8 2>/dev/null
      fi
      "$_p" "$@" 8>&-
      set -- $?
      exec 8>&-
      return "$1"
    fi
  fi
  "$_p" "$@"
}`;

/** argv that runs `program args...` through aptr. */
export function aptRead(program: string, args: string[]): string[] {
  return ['sh', '-c', `${APT_READ_FN}\naptr "$@"`, 'sh', program, ...args];
}

/**
 * apt-get's options for a read (a simulation, apt-plan.ts's resolution): no lock, and no planner log
 * (apt writes /var/log/apt/eipp.log.xz for every install it orders, simulated ones too: a dry run
 * changes nothing, and the log costs about a tenth of the simulation's CPU).
 */
export const READ_OPTS = ['-q', '-o', 'Debug::NoLocking=1', '-o', 'Dir::Log::Planner='];

/** apt-get's simulation options (`-s` and READ_OPTS). */
export const SIM = ['-s', ...READ_OPTS];
