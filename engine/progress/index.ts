// Which progress view a run gets: a live view when stdout and stderr are both a terminal, a line
// per state on stderr otherwise (CI logs, --out json to a file), none with --quiet.
// BRINE_PROGRESS=live|lines|off overrides the choice (the test suite runs with off).
import { wantColor } from '../report/formats.js';
import { lineView } from './lines.js';
import type { HostProgress, ProgressView, ViewOptions } from './types.js';

export type { HostEnd, HostProgress, ProgressView } from './types.js';

const silent: ProgressView = {
  live: false,
  host: (): HostProgress => ({ done() {} }),
  skipped() {},
  async end() {},
};

export interface OpenOptions {
  labels: string[];
  redact: (text: string) => string;
  quiet?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export async function openProgress(o: OpenOptions): Promise<ProgressView> {
  const env = o.env ?? process.env;
  const want = env.BRINE_PROGRESS;
  if (o.quiet || want === 'off') return silent;
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  const base: ViewOptions = { labels: o.labels, redact: o.redact, color: wantColor(stderr, env) };
  const terminal = !!stdout.isTTY && !!stderr.isTTY && env.TERM !== 'dumb';
  if (want === 'live' || (want !== 'lines' && terminal)) {
    const { liveView } = await import('./live.js');
    return liveView({ ...base, stream: stderr });
  }
  return lineView({ ...base, write: (s) => stderr.write(s) });
}
