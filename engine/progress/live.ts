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

/** The notices kept under the hosts (the last ones). */
const NOTE_LINES = 2;

/** A word per host for the tally of the compact view. */
function stateWord(h: HostLine): string {
  if (h.skipped) return 'not started';
  if (h.end) return h.end.status === 'pending' ? 'would change' : h.end.status;
  return h.start ? 'running' : 'waiting';
}

const failedEnd = (h: HostLine) => !!h.end && h.end.status !== 'ok' && h.end.status !== 'pending';

/**
 * More hosts than the terminal has rows: a line per host would push the running ones off the
 * screen, so one line counts the hosts by state and the lines under it show the hosts running and
 * those that failed, as many as fit in `height` lines.
 */
function compactTask(hosts: HostLine[], height: number, width: number, redact: (s: string) => string) {
  let task: ListrTaskWrapper<any, any, any> | undefined;
  const draw = () => {
    if (!task) return;
    const counts = new Map<string, number>();
    for (const h of hosts) counts.set(stateWord(h), (counts.get(stateWord(h)) ?? 0) + 1);
    task.title = redact(`${hosts.length} hosts: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`);
    const shown = [...hosts.filter(failedEnd), ...hosts.filter((h) => h.start && !h.end && !h.skipped)];
    const room = Math.max(1, height - 1); // under the count line
    const lines = shown
      .slice(0, shown.length > room ? room - 1 : room)
      .map((h) => line(h, h.label.padEnd(width), false));
    if (shown.length > room) lines.push(`... and ${shown.length - room + 1} more`);
    task.output = redact(lines.join('\n'));
  };
  return {
    draw,
    task: {
      title: `${hosts.length} hosts`,
      rendererOptions: { outputBar: true, persistentOutput: true },
      task: async (_ctx: unknown, t: ListrTaskWrapper<any, any, any>) => {
        task = t;
        draw();
        await Promise.all(hosts.map((h) => h.settled));
        draw();
        if (hosts.some(failedEnd)) throw new Error(t.title ?? '');
      },
    },
  };
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
  // a line per host fits with the notes under them (a blank line, NOTE_LINES) and a line to spare
  // (the prompt's), else the compact view
  const rows = o.stream.rows || 24;
  const room = rows - 2 - (1 + NOTE_LINES);
  const compact = o.labels.length > room ? compactTask([...hosts.values()], room, width, o.redact) : undefined;
  const redraw = (h: HostLine) => {
    if (compact) return compact.draw();
    if (!h.task) return;
    h.task.title = o.redact(line(h, (h.label || 'local').padEnd(width), detail));
    if (detail) {
      const now = Date.now();
      h.task.output = o.redact([...h.running.values()].map((r) => `${r.name}  ${secs(now - r.since)}`).join('\n'));
    }
  };
  // notices (a signal, a lock wait, the next batch) under the hosts: a task without a title is
  // listr2's bottom bar, its last lines kept
  let notes: ListrTaskWrapper<any, any, any> | undefined;
  const pending: string[] = [];
  const notesTask = {
    rendererOptions: { bottomBar: NOTE_LINES, persistentOutput: true },
    task: async (_ctx: unknown, t: ListrTaskWrapper<any, any, any>) => {
      notes = t;
      for (const n of pending.splice(0)) t.output = n;
      await Promise.all([...hosts.values()].map((h) => h.settled));
    },
  };
  const listr = new Listr(
    [
      ...(compact
        ? [compact.task]
        : [...hosts.values()].map((h) => ({
            title: (h.label || 'local').padEnd(width),
            task: async (_ctx: unknown, task: ListrTaskWrapper<any, any, any>) => {
              h.task = task;
              redraw(h);
              await h.settled;
              redraw(h);
              if (h.skipped) task.skip(task.title);
              else if (h.end && h.end.status !== 'ok' && h.end.status !== 'pending')
                throw new Error(task.title ?? h.label);
            },
          }))),
      notesTask,
    ],
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
    if (compact) compact.draw();
    else for (const h of hosts.values()) if (h.start && !h.end && !h.skipped) redraw(h);
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
    note(text) {
      const line = o.redact(text.trim().replace(/^brine: /, ''));
      if (notes) notes.output = line;
      else pending.push(line);
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
