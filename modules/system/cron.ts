// cron.present / cron.absent: a job in a user's crontab (`crontab -l -u USER`, written back with
// `crontab -u USER -`), in Salt's managed-section format so a tree that moves from Salt finds its
// own jobs again.
import { createTwoFilesPatch } from 'diff';
import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { type CronJob, parseCrontab, renderCrontab, withEnv, withJob } from './cron-tab.js';

export interface CronArgs {
  name: string;
  user?: string;
  minute?: string | number;
  hour?: string | number;
  daymonth?: string | number;
  month?: string | number;
  dayweek?: string | number;
  special?: string;
  comment?: string;
  commented?: boolean;
  identifier?: string | false;
}

export interface CronFacts {
  /** The user's crontab, '' when none. */
  text: string;
}

const field = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] };
const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    user: { type: 'string', minLength: 1 },
    minute: field,
    hour: field,
    daymonth: field,
    month: field,
    dayweek: field,
    special: { type: 'string', pattern: '^@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)$' },
    comment: { type: 'string' },
    commented: { type: 'boolean' },
    identifier: { anyOf: [{ type: 'string', minLength: 1, pattern: '^\\S+$' }, { const: false }] },
  },
  required: ['name'],
  additionalProperties: false,
};

export function jobOf(a: CronArgs): CronJob {
  const f = (v: string | number | undefined) => (v === undefined ? '*' : String(v));
  return {
    minute: f(a.minute),
    hour: f(a.hour),
    daymonth: f(a.daymonth),
    month: f(a.month),
    dayweek: f(a.dayweek),
    ...(a.special ? { special: a.special } : {}),
    cmd: a.name,
    ...(a.comment ? { comment: a.comment } : {}),
    ...(a.identifier ? { identifier: a.identifier } : {}),
    ...(a.commented ? { commented: true } : {}),
  };
}

export function planCron(a: CronArgs, f: CronFacts, absent: boolean): { changes: Change[]; text: string } {
  const user = a.user ?? 'root';
  const text = renderCrontab(withJob(parseCrontab(f.text), jobOf(a), absent));
  if (text === f.text || (absent && text === renderCrontab(parseCrontab(f.text)))) return { changes: [], text };
  const label = `crontab of ${user}`;
  return {
    changes: [
      {
        op: absent ? 'delete' : f.text.includes(a.name) ? 'update' : 'create',
        target: `${label}: ${a.name}`,
        diff: createTwoFilesPatch(label, label, f.text, text, undefined, undefined, { context: 3 }),
      },
    ],
    text,
  };
}

async function gather(host: Host, a: CronArgs): Promise<CronFacts> {
  const user = a.user ?? 'root';
  const r = await host.exec(['crontab', '-l', '-u', user], { env: { LC_ALL: 'C' }, readOnly: true });
  if (r.exitCode === 0) return { text: r.stdout.endsWith('\n') || !r.stdout ? r.stdout : `${r.stdout}\n` };
  if (/no crontab for/.test(r.stderr)) return { text: '' };
  // no crontab command yet: a pending pkg state may install cron (a dry run defers to it)
  if (r.exitCode === 127)
    throw new MissingFactError(
      'package',
      'cron',
      a.name,
      `crontab -l -u ${user} failed: crontab is not installed (is cron installed?)`,
    );
  throw new StateError(a.name, `crontab -l -u ${user} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

/** Every state's crontab read at once (over SSH the reads share one channel). */
const gatherEach = (host: Host, items: Array<{ args: CronArgs }>): Promise<CronFacts[]> =>
  Promise.all(items.map((i) => gather(host, i.args)));

async function writeCrontab(host: Host, user: string, text: string, state: string): Promise<void> {
  const r = await host.exec(['crontab', '-u', user, '-'], { stdin: text });
  if (r.exitCode !== 0)
    throw new StateError(state, `crontab -u ${user} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

function fn(absent: boolean): StateFunction<CronArgs, CronFacts> {
  return {
    schema,
    gather,
    gatherMany: gatherEach,
    plan: (a, f) => planCron(a, f, absent).changes,
    async apply(host, _changes, ctx) {
      await writeCrontab(host, ctx.args.user ?? 'root', planCron(ctx.args, ctx.facts, absent).text, ctx.args.name);
    },
  };
}

export const present = fn(false);
export const absent = fn(true);

export interface CronEnvArgs {
  name: string;
  value?: string | number | boolean;
  user?: string;
}

/** cron.env_present / cron.env_absent: a `NAME=value` line in the managed section of a crontab. */
export function planCronEnv(a: CronEnvArgs, f: CronFacts, absent: boolean): { changes: Change[]; text: string } {
  const user = a.user ?? 'root';
  const before = parseCrontab(f.text);
  const value =
    a.value === undefined ? null : typeof a.value === 'boolean' ? (a.value ? 'True' : 'False') : String(a.value);
  const text = renderCrontab(withEnv(before, a.name, value, absent));
  if (text === f.text || text === renderCrontab(before)) return { changes: [], text };
  const label = `crontab of ${user}`;
  const had = before.env.some((l) => l.split('=', 1)[0] === a.name);
  return {
    changes: [
      {
        op: absent ? 'delete' : had ? 'update' : 'create',
        target: `${label}: ${a.name}`,
        diff: createTwoFilesPatch(label, label, f.text, text, undefined, undefined, { context: 3 }),
      },
    ],
    text,
  };
}

const envSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[^=\\s#]+$' },
    value: { type: ['string', 'number', 'boolean'] },
    user: { type: 'string', minLength: 1 },
  },
  required: ['name'],
  additionalProperties: false,
};

function envFn(absent: boolean): StateFunction<CronEnvArgs, CronFacts> {
  return {
    schema: envSchema,
    gather: (host, a) => gather(host, a as CronArgs),
    gatherMany: (host, items) => gatherEach(host, items as Array<{ args: CronArgs }>),
    plan: (a, f) => planCronEnv(a, f, absent).changes,
    async apply(host, _changes, ctx) {
      await writeCrontab(host, ctx.args.user ?? 'root', planCronEnv(ctx.args, ctx.facts, absent).text, ctx.args.name);
    },
  };
}

export const envPresent = envFn(false);
export const envAbsent = envFn(true);
