// A `probe` state module for runner tests: drives an in-memory store and records what the runner
// did (gather/apply/refresh times), so parallelism and ordering can be asserted.
import type { Host } from '../../../engine/host/host.js';
import type { StateFunction, StateRegistry } from '../../../engine/contract.js';
import { StateError } from '../../../engine/errors.js';
import { MissingFactError } from '../../../engine/run/missing-fact.js';

export interface Event {
  what: 'gather' | 'apply' | 'refresh' | 'gatherMany' | 'applyMany';
  /** gatherMany: the runner's aggregate hint per item. */
  hints?: boolean[];
  name: string;
  start: number;
  end: number;
}

export const world = new Map<string, string>();
export const events: Event[] = [];
/** apply failures so far per state name (failTimes) */
export const failures = new Map<string, number>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Args {
  name: string;
  value?: string;
  ms?: number;
  /** missing: gather throws a MissingFactError (a fact a pending state may create) */
  fail?: 'gather' | 'apply' | 'missing';
  stuck?: boolean;
  /** probe.agg: the aggregation key (states with equal keys share one applyMany). */
  group?: string;
  /** probe.agg: applyMany throws when this state is in the call. */
  failMany?: boolean;
  /** apply fails this many times, then works (retry tests) */
  failTimes?: number;
}

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    value: { type: 'string' },
    ms: { type: 'number' },
    fail: { enum: ['gather', 'apply', 'missing'] },
    stuck: { type: 'boolean' },
    group: { type: 'string' },
    failMany: { type: 'boolean' },
    failTimes: { type: 'integer' },
  },
  required: ['name'],
  additionalProperties: false,
};

async function timed<T>(what: Event['what'], name: string, ms: number, f: () => T): Promise<T> {
  const start = Date.now();
  await sleep(ms);
  const r = f();
  events.push({ what, name, start, end: Date.now() });
  return r;
}

const value: StateFunction<Args, string | undefined> = {
  schema,
  gather: (_h: Host, a) =>
    timed('gather', a.name, a.ms ?? 0, () => {
      if (a.fail === 'gather') throw new StateError(a.name, 'cannot read');
      if (a.fail === 'missing') throw new MissingFactError('path', `/probe/${a.name}`, a.name, 'cannot read: missing');
      return world.get(a.name);
    }),
  plan: (a, cur) =>
    a.value === undefined || cur === a.value
      ? []
      : [{ op: cur === undefined ? 'create' : 'update', target: a.name, before: cur, after: a.value }],
  apply: (_h, _c, ctx) =>
    timed('apply', ctx.args.name, ctx.args.ms ?? 0, () => {
      if (ctx.args.fail === 'apply') throw new Error('disk on fire\n  at somewhere (stack)');
      const failed = failures.get(ctx.args.name) ?? 0;
      if (failed < (ctx.args.failTimes ?? 0)) {
        failures.set(ctx.args.name, failed + 1);
        throw new Error(`not yet (${failed + 1})`);
      }
      if (!ctx.args.stuck) world.set(ctx.args.name, ctx.args.value!);
    }),
};

/** Like `locked` (lock 'dpkg'), plus gatherMany and aggregation: a stand-in for pkg.installed. */
const agg: StateFunction<Args, string | undefined> = {
  ...value,
  lock: 'dpkg',
  gatherMany: async (_h, items) => {
    events.push({
      what: 'gatherMany',
      name: items.map((i) => i.args.name).join(','),
      hints: items.map((i) => !!i.aggregate),
      start: Date.now(),
      end: Date.now(),
    });
    return items.map((i) => world.get(i.args.name));
  },
  aggregate: {
    key: (a) => a.group ?? 'default',
    applyMany: async (_h, items) => {
      const start = Date.now();
      await sleep(20);
      const names = items.map((i) => i.ctx.args.name);
      events.push({ what: 'applyMany', name: names.join(','), start, end: Date.now() });
      if (items.some((i) => i.ctx.args.failMany)) throw new Error('apt: conflicting packages');
      for (const i of items) if (!i.ctx.args.stuck) world.set(i.ctx.args.name, i.ctx.args.value!);
      return items.map((i) => ({ comment: `set ${i.ctx.args.name}` }));
    },
  },
};

/** The module registry of runner tests: the probe module alone. */
export const probeRegistry: StateRegistry = {
  probe: {
    value,
    // no refresh: a watch on it acts as require + onchanges
    wait: value,
    service: {
      ...value,
      refresh: async (_h, a) => void events.push({ what: 'refresh', name: a.name, start: Date.now(), end: Date.now() }),
      refreshVerb: () => 'restart',
    },
    // like service.running: only a change of the value named 'running' counts as the restart
    unit: {
      ...value,
      refresh: async (_h, a) => void events.push({ what: 'refresh', name: a.name, start: Date.now(), end: Date.now() }),
      refreshVerb: () => 'restart',
      refreshCoveredBy: (plan, a) => plan.length > 0 && a.value === 'running',
    },
    locked: { ...value, lock: 'dpkg' },
    agg,
    batched: {
      ...value,
      gatherMany: async (_h, items) => {
        events.push({
          what: 'gatherMany',
          name: items.map((i) => i.args.name).join(','),
          start: Date.now(),
          end: Date.now(),
        });
        return items.map((i) => world.get(i.args.name));
      },
    },
  },
};

export function reset(): void {
  world.clear();
  events.length = 0;
  failures.clear();
}
