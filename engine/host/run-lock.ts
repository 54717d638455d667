// One run at a time per host: an flock(1) on the target's /run/brine.lock, held by a command that
// lives as long as the run (it reads its stdin until EOF: release() closes it; a killed controller
// or a dropped SSH connection closes it too, so a dead run never leaves the lock behind). A second
// run waits up to `waitMs`, saying who holds the lock, then gives up with RunLockError (exit 1).
import { hostname } from 'node:os';
import { TransportError } from '../errors.js';
import type { HeldCommand, Host } from './host.js';
import { SWEEP_SCRIPT } from './temp-cleanup.js';

export const DEFAULT_LOCK_PATH = '/run/brine.lock';

export class RunLockError extends TransportError {
  constructor(host: string, reason: string) {
    super(host, reason);
    this.name = 'RunLockError';
  }
}

export interface RunLock {
  path: string;
  /**
   * When the lock was taken, seconds since the epoch by the target's clock (temp files older than this are left-overs
   * of a killed run); by the controller's when the lock's command swept them (nothing reads it then).
   */
  since: number;
  /** The stale temp files the lock's command removed (sweepDirs given), as paths on the host. */
  removed: string[];
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another run's lock; 0 refuses at once. */
  waitMs: number;
  /** Told once when the lock is busy and the run waits. */
  onWait?: (msg: string) => void;
  /** What the caller's notices start with (a push's host label): the wait notice starts with it too. */
  label?: string;
  /** A stop (signal) while waiting gives up waiting. */
  control?: { onStop(cb: (reason: string) => void): void };
}

// $1 lock file, $2 seconds to wait, $3 who we are, $4 1: sweep stale temp files (temp-cleanup.ts)
// in the directories that follow, under the lock, before saying `ready` (no extra round trip): older
// than the lock file it has just written (no `date` to start then).
// Prints `busy HOLDER` then `locked [TIME]`, `removed PATH`..., `ready`; or ends with 4 (3: no lock file).
// `quit` is `exit` in a process of its own, `return` in the ssh command session's function (ssh-session.ts,
// where fd 9 stays open in the session's shell until it releases the lock or ends).
const take = (quit: string) => `l=$1
[ -d "\${l%/*}" ] || mkdir -p -- "\${l%/*}" 2>/dev/null
( : >>"$l" ) 2>/dev/null || { echo "error cannot open $l"; ${quit} 3; }
exec 9>>"$l"
if ! flock -n 9; then
  echo "busy $(head -c 300 -- "$l" | tr -d '\\n')"
  if [ "$2" -le 0 ] || ! flock -w "$2" 9; then
    echo "timeout $(head -c 300 -- "$l" | tr -d '\\n')"; exec 9>&-; ${quit} 4
  fi
fi
printf '%s\\n' "$3" > "$l"
if [ "$4" = 1 ]; then
  echo locked
  shift 4
  (case $l in /*) ;; *) l=$PWD/$l ;; esac
  set -- "$l" "$@"
${SWEEP_SCRIPT}
) | while IFS= read -r p; do printf 'removed %s\\n' "$p"; done
else
  echo "locked $(date +%s)"
fi`;

// the lock's own process: it reads its stdin until EOF with the shell's own read (no cat: on a
// fleet every process a run starts counts), then empties the lock file
const SCRIPT = `${take('exit')}
echo ready
while read -r _; do :; done
: > "$l"`;

/** The body of the ssh command session's brine_lock (ssh-session.ts): the lock stays with the session. */
export const SESSION_LOCK_BODY = `${take('return')}
brine_l=$l
echo ready`;

/**
 * Takes the host's run lock. `sweepDirs` (paths on the host, no --root host): the lock's command also
 * removes the stale temp files there once it holds the lock, in the same round trip (see `removed`).
 */
export async function acquireRunLock(host: Host, o: LockOptions, sweepDirs?: string[]): Promise<RunLock> {
  const path = host.runLockPath ?? DEFAULT_LOCK_PATH;
  if (!host.hold) throw new RunLockError(host.name, 'this transport cannot hold a run lock');
  const me = `pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}`;
  const secs = Math.max(0, Math.ceil(o.waitMs / 1000));
  let held: HeldCommand | undefined;
  let since = Math.floor(Date.now() / 1000);
  const removed: string[] = [];
  const sweep = sweepDirs?.length ? ['1', ...new Set(sweepDirs)] : [];
  const outcome = new Promise<{ ok: true } | { ok: false; why: string }>((resolve) => {
    let last = '';
    const args = [path, String(secs), me, ...sweep];
    const onLine = (line: string) => {
      last = line;
      if (line.startsWith('locked')) since = Number(line.slice(7)) || since;
      else if (line.startsWith('removed ')) removed.push(line.slice(8));
      else if (line === 'ready') resolve({ ok: true });
      else if (line.startsWith('busy ') && secs > 0)
        o.onWait?.(
          `${o.label ? `${o.label}: ` : ''}waiting up to ${secs} s for the run lock ${path}` +
            // a label that is the host's name already says where
            `${o.label === host.name ? '' : ` on ${host.name}`} (held by ${line.slice(5) || 'another run'})`,
        );
    };
    // the ssh command session holds it when it can (no channel, shell or sh of its own)
    held = host.sessionLock?.(args, onLine) ?? host.hold!(['sh', '-c', SCRIPT, 'sh', ...args], onLine);
    o.control?.onStop((reason) =>
      resolve({ ok: false, why: `stopped by ${reason} while waiting for the run lock ${path}` }),
    );
    held.exited.then(
      (code) => resolve({ ok: false, why: describe(code, last, path, secs) }),
      (e: Error) => resolve({ ok: false, why: `run lock ${path}: ${e.message}` }),
    );
  });
  const r = await outcome;
  if (!r.ok) {
    void held!.release();
    throw new RunLockError(host.name, r.why);
  }
  return { path, since, removed: removed.sort(), release: () => held!.release() };
}

function describe(code: number, last: string, path: string, secs: number): string {
  if (last.startsWith('timeout ')) {
    const holder = last.slice(8) || 'another run';
    return secs > 0
      ? `another brine run holds ${path} (${holder}); gave up after ${secs} s (--lock-timeout)`
      : `another brine run holds ${path} (${holder}); not waiting (--lock-timeout 0)`;
  }
  if (last.startsWith('error ')) return `run lock: ${last.slice(6)}`;
  return (
    `run lock ${path}: the lock command ended ` +
    `(exit ${code})${code === 127 ? ': flock(1) is missing (util-linux)' : ''}`
  );
}
