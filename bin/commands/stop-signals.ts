// SIGINT/SIGTERM during a run (Ctrl-C, `systemctl stop`): the first one stops the run after the
// states in flight (their writes complete; nothing new starts), the report so far is printed and
// brine exits 130 (SIGINT) or 143 (SIGTERM). A second signal abandons the run at once: temp files
// of writes in flight are removed, the report so far is printed, same exit codes.
import { removeInFlightTemps } from '../../engine/host/local-write.js';
import { type RunControl, stopExitCode } from '../../engine/run/control.js';
import type { RunReport } from '../../engine/run/types.js';

/** Installs the handlers; returns the function that removes them. */
/** `say`: how the first signal's line reaches the operator (a live view shows it; default stderr). */
export function handleStopSignals(
  control: RunControl,
  abandon: (reports: RunReport[]) => void,
  say: (line: string) => void = (l) => process.stderr.write(l),
): () => void {
  const on = (sig: NodeJS.Signals): void => {
    if (!control.stopped) {
      control.stop(sig);
      say(`brine: ${sig}: finishing the states in flight, starting no more (again to abandon them)\n`);
      return;
    }
    const gone = removeInFlightTemps();
    process.stderr.write(
      `brine: ${sig} again: abandoning the ` +
        `run${gone.length ? ` (removed ${gone.length} temp file(s) of writes in flight)` : ''}\n`,
    );
    abandon(control.partial());
    process.exit(stopExitCode(control.stopped));
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
}
