// The progress of a run that is not on a terminal (CI logs, output to a file): one line per state
// as it finishes, one per host phase and end, and a line for what still runs when nothing was
// printed for a while, so a log never goes quiet for long. Lines go to stderr; stdout keeps the report.
import { endText, outcomeWord, runningNames, secs, stateName } from './format.js';
import { LOCK_WAIT_PHASE } from '../run/progress.js';
import type { HostProgress, ProgressView, ViewOptions } from './types.js';

export const HEARTBEAT_MS = 10_000;

/** A host's phase and the states it runs (a wave's states run together, in one script). */
interface HostState {
  what: string;
  since: number;
  states: Map<string, { name: string; since: number }>;
}

export function lineView(o: ViewOptions & { write: (line: string) => void; heartbeatMs?: number }): ProgressView {
  let last = Date.now();
  const running = new Map<string, HostState>();
  const out = (label: string, text: string) => {
    last = Date.now();
    o.write(o.redact(`brine: ${label ? `${label}: ` : ''}${text}\n`));
  };
  const still = (r: HostState) => {
    const states = [...r.states.values()];
    if (!states.length) return `still ${r.what} (${secs(Date.now() - r.since)})`;
    const together = states.length > 1 ? ' (one script on the target)' : '';
    const names = runningNames(states.map((x) => x.name));
    return `still running ${names}${together} (${secs(Date.now() - states[0]!.since)})`;
  };
  const every = o.heartbeatMs ?? HEARTBEAT_MS;
  const timer = setInterval(
    () => {
      if (Date.now() - last < every) return;
      for (const [label, r] of running) out(label, still(r));
      last = Date.now();
    },
    Math.min(every, 1000),
  );
  timer.unref();

  return {
    live: false,
    host(label): HostProgress {
      let total = 0;
      let done = 0;
      const start = Date.now();
      const host: HostState = { what: 'starting', since: start, states: new Map() };
      running.set(label, host);
      const p: HostProgress = {
        phase(what) {
          host.what = what;
          host.since = Date.now();
          // the lock's wait has a line of its own (the notice naming the holder)
          if (what !== LOCK_WAIT_PHASE) out(label, what);
        },
        planned(n) {
          total = n;
        },
        started(s) {
          host.states.set(s.key, { name: stateName(s), since: Date.now() });
        },
        finished(r) {
          done++;
          host.states.delete(r.key);
          host.what = 'running';
          host.since = Date.now();
          out(label, `[${done}/${total}] ${outcomeWord(r)} ${stateName(r)} (${secs(r.durationMs)})`);
        },
        done(e) {
          running.delete(label);
          out(label, `done: ${endText(e)}`);
        },
      };
      return p;
    },
    skipped(label, why) {
      out(label, `not started: ${why}`);
    },
    async end() {
      clearInterval(timer);
    },
  };
}
