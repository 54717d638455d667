// The progress of a run that is not on a terminal (CI logs, output to a file): one line per state
// as it finishes, one per host phase and end, and a line for what still runs when nothing was
// printed for a while, so a log never goes quiet for long. Lines go to stderr; stdout keeps the report.
import { endText, outcomeWord, secs, stateName } from './format.js';
import type { HostProgress, ProgressView, ViewOptions } from './types.js';

export const HEARTBEAT_MS = 10_000;

export function lineView(o: ViewOptions & { write: (line: string) => void; heartbeatMs?: number }): ProgressView {
  let last = Date.now();
  const running = new Map<string, { what: string; since: number }>();
  const out = (label: string, text: string) => {
    last = Date.now();
    o.write(o.redact(`brine: ${label ? `${label}: ` : ''}${text}\n`));
  };
  const every = o.heartbeatMs ?? HEARTBEAT_MS;
  const timer = setInterval(
    () => {
      if (Date.now() - last < every) return;
      for (const [label, r] of running) out(label, `still ${r.what} (${secs(Date.now() - r.since)})`);
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
      running.set(label, { what: 'starting', since: start });
      const p: HostProgress = {
        phase(what) {
          running.set(label, { what, since: Date.now() });
          out(label, what);
        },
        planned(n) {
          total = n;
        },
        started(s) {
          running.set(label, { what: `running ${stateName(s)}`, since: Date.now() });
        },
        finished(r) {
          done++;
          running.set(label, { what: 'running', since: Date.now() });
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
