// The progress of a run on a terminal: a live view (listr2) with one line per host: states
// done/total, the state running, the time so far, then the result. A run on one host shows its
// running states under its line. The view draws on stderr; stdout is written after it ends.
import { Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import { endText, runningNames, secs, stateName } from './format.js';
import type { HostEnd, HostProgress, ProgressView, ViewOptions } from './types.js';

interface HostLine {
  label: string;
  total: number;
  done: number;
  phase: string;
  running: Map<string, { name: string; since: number }>;
  start?: number;
  end?: HostEnd;
  skipped?: string;
  settle: () => void;
  settled: Promise<void>;
  task?: ListrTaskWrapper<any, any, any>;
}

function line(h: HostLine, label: string, detail: boolean): string {
  if (h.skipped) return `${label}  not started: ${h.skipped}`;
  if (h.end) return `${label}  ${h.total ? `${h.done}/${h.total}  ` : ''}${endText(h.end)}`;
  if (!h.start) return `${label}  waiting`;
  const now = Date.now();
  const first = [...h.running.values()][0];
  const what =
    first && !detail
      ? `running ${runningNames([...h.running.values()].map((r) => r.name))}`
      : first
        ? 'running'
        : h.phase;
  return `${label}  ${h.total ? `${h.done}/${h.total}  ` : ''}${what}  ${secs(now - h.start)}`;
}

export function liveView(o: ViewOptions & { stream: NodeJS.WriteStream }): ProgressView {
  const hosts = new Map<string, HostLine>();
  const width = Math.max(0, ...o.labels.map((l) => l.length));
  const detail = o.labels.length === 1; // one host: its running states get a line each
  for (const label of o.labels) {
    let settle = () => {};
    const settled = new Promise<void>((r) => (settle = r));
    hosts.set(label, { label, total: 0, done: 0, phase: 'starting', running: new Map(), settle, settled });
  }
  const redraw = (h: HostLine) => {
    if (!h.task) return;
    h.task.title = o.redact(line(h, (h.label || 'local').padEnd(width), detail));
    if (detail) {
      const now = Date.now();
      h.task.output = o.redact([...h.running.values()].map((r) => `${r.name}  ${secs(now - r.since)}`).join('\n'));
    }
  };
  const listr = new Listr(
    [...hosts.values()].map((h) => ({
      title: (h.label || 'local').padEnd(width),
      task: async (_ctx: unknown, task: ListrTaskWrapper<any, any, any>) => {
        h.task = task;
        redraw(h);
        await h.settled;
        redraw(h);
        if (h.skipped) task.skip(task.title);
        else if (h.end && h.end.status !== 'ok' && h.end.status !== 'pending') throw new Error(task.title ?? h.label);
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: 'default',
      fallbackRendererCondition: false,
      rendererOptions: {
        showErrorMessage: false,
        collapseErrors: false,
        formatOutput: 'truncate',
        logger: new ListrLogger({
          useIcons: true,
          processOutput: new ProcessOutput(o.stream, o.stream, { leaveEmptyLine: false }),
        }),
      },
    },
  );
  const ran = listr.run().catch(() => {});
  const tick = setInterval(() => {
    for (const h of hosts.values()) if (h.start && !h.end && !h.skipped) redraw(h);
  }, 250);

  const get = (label: string): HostLine => {
    const h = hosts.get(label);
    if (!h) throw new Error(`progress: unknown host ${label}`);
    return h;
  };
  return {
    live: true,
    host(label): HostProgress {
      const h = get(label);
      h.start = Date.now();
      return {
        phase(what) {
          h.phase = what;
          redraw(h);
        },
        planned(n) {
          h.total = n;
        },
        started(s) {
          h.phase = 'running'; // the phases before the states are over
          h.running.set(s.key, { name: stateName(s), since: Date.now() });
          redraw(h);
        },
        finished(r) {
          h.done++;
          h.running.delete(r.key);
          redraw(h);
        },
        done(e) {
          h.end = e;
          h.running.clear();
          h.settle();
        },
      };
    },
    skipped(label, why) {
      const h = get(label);
      h.skipped = why;
      h.settle();
    },
    async end() {
      clearInterval(tick);
      for (const h of hosts.values()) if (!h.end && !h.skipped) h.skipped = 'stopped';
      for (const h of hosts.values()) h.settle();
      await ran;
    },
  };
}
