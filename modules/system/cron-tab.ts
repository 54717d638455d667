// A user's crontab as Salt's cron module reads and writes it: lines above Salt's header are kept
// as they are; below it, jobs with an optional comment line (`# comment SALT_CRON_IDENTIFIER:id`)
// and `#DISABLED#` for commented jobs.

export const HEADER = '# Lines below here are managed by Salt, do not edit';
const IDENT = 'SALT_CRON_IDENTIFIER';

export interface CronJob {
  minute: string;
  hour: string;
  daymonth: string;
  month: string;
  dayweek: string;
  /** @reboot, @daily...: replaces the five time fields. */
  special?: string;
  cmd: string;
  comment?: string;
  identifier?: string;
  commented?: boolean;
}

export interface Crontab {
  /** Lines above the header, verbatim. */
  pre: string[];
  /** Managed lines that are not jobs (environment settings `NAME=value`), verbatim. */
  env: string[];
  jobs: CronJob[];
}

export function parseCrontab(text: string): Crontab {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const at = lines.indexOf(HEADER);
  const tab: Crontab = { pre: at < 0 ? lines : lines.slice(0, at), env: [], jobs: [] };
  if (at < 0) return tab;
  let comment: { comment?: string; identifier?: string } | null = null;
  for (const raw of lines.slice(at + 1)) {
    const disabled = raw.startsWith('#DISABLED#');
    const line = disabled ? raw.slice('#DISABLED#'.length) : raw;
    if (!disabled && line.startsWith('#')) {
      const m = new RegExp(`\\s*${IDENT}:(\\S+)\\s*$`).exec(line);
      const text = (m ? line.slice(0, m.index) : line).replace(/^#\s?/, '').trim();
      comment = { ...(text ? { comment: text } : {}), ...(m ? { identifier: m[1] } : {}) };
      continue;
    }
    const special = /^(@\w+)\s+(.+)$/.exec(line);
    const timed = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (special)
      tab.jobs.push({
        minute: '*',
        hour: '*',
        daymonth: '*',
        month: '*',
        dayweek: '*',
        special: special[1]!,
        cmd: special[2]!,
        ...comment,
        ...(disabled ? { commented: true } : {}),
      });
    else if (timed && !/^\w+=/.test(line)) {
      const [, minute, hour, daymonth, month, dayweek, cmd] = timed as unknown as string[];
      tab.jobs.push({
        minute: minute!,
        hour: hour!,
        daymonth: daymonth!,
        month: month!,
        dayweek: dayweek!,
        cmd: cmd!,
        ...comment,
        ...(disabled ? { commented: true } : {}),
      });
    } else if (line.trim()) tab.env.push(raw);
    comment = null;
  }
  return tab;
}

export function renderJob(j: CronJob): string {
  let out = '';
  if (j.comment || j.identifier)
    out += `#${j.comment ? ` ${j.comment}` : ''}${j.identifier ? ` ${IDENT}:${j.identifier}` : ''}\n`;
  const when = j.special ?? `${j.minute} ${j.hour} ${j.daymonth} ${j.month} ${j.dayweek}`;
  return `${out}${j.commented ? '#DISABLED#' : ''}${when} ${j.cmd}\n`;
}

export function renderCrontab(t: Crontab): string {
  const pre = t.pre.map((l) => `${l}\n`).join('');
  if (!t.env.length && !t.jobs.length) return pre;
  return `${pre}${HEADER}\n${t.env.map((l) => `${l}\n`).join('')}${t.jobs.map(renderJob).join('')}`;
}

const envName = (line: string): string => line.split('=', 1)[0]!;

/**
 * The crontab with the variable `name` set to `value` in the managed section (replacing its line),
 * or without it (absent), as Salt's cron.set_env/rm_env: `NAME=value`, `NAME=""` for an empty value.
 */
export function withEnv(t: Crontab, name: string, value: string | null, absent = false): Crontab {
  if (absent) return { ...t, env: t.env.filter((l) => envName(l) !== name) };
  const line = `${name}=${value === null || value === '' ? '""' : value}`;
  const i = t.env.findIndex((l) => envName(l) === name);
  return { ...t, env: i >= 0 ? t.env.map((l, n) => (n === i ? line : l)) : [...t.env, line] };
}

/** Salt's match: by identifier when the job has one, else by command. */
export function findJob(t: Crontab, want: CronJob): number {
  return want.identifier
    ? t.jobs.findIndex((j) => j.identifier === want.identifier)
    : t.jobs.findIndex((j) => !j.identifier && j.cmd === want.cmd);
}

/** The crontab with `want` set (replacing its match) or, with absent, without it. */
export function withJob(t: Crontab, want: CronJob, absent = false): Crontab {
  const i = findJob(t, want);
  const jobs = [...t.jobs];
  if (absent) {
    if (i >= 0) jobs.splice(i, 1);
  } else if (i >= 0) {
    // a comment not given keeps the one the job has
    const old = jobs[i]!;
    jobs[i] = want.comment === undefined && old.comment ? { ...want, comment: old.comment } : want;
  } else jobs.push(want);
  return { ...t, jobs };
}
