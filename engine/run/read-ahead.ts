// Dry runs: the reads the run would otherwise make one after another as it reaches each state (the
// onlyif/unless checks, and the facts of the states that gather on their own) start at once, a few
// at a time, in declaration order, alongside the batched fact reads (the apt simulation). Nothing
// is applied in a dry run, so a state reads what it would have read in its turn; the run still
// decides, plans and reports in Salt's order with the results of the states before. A state that
// may not run at all (onchanges, onfail, prereq) is left to the run; its checks run in its turn.
import PQueue from 'p-queue';
import type { Host } from '../host/host.js';
import type { Chunk } from '../compile/types.js';
import { checkConditions, type KnownExists, type KnownGuard } from './conditions.js';
import { type CtxLog, makeCtx, type TemplateRenderer } from './ctx.js';

/** A state's facts read ahead, with what its gather logged (handed to the state's log). */
interface Read {
  facts: unknown;
  log: CtxLog;
}

interface Ahead {
  conditions: Promise<string | null>;
  /** undefined: the conditions skip the state (nothing was gathered). */
  read?: Promise<Read | undefined>;
}

export interface ReadAheadEnv {
  host: Host;
  statesDir: string;
  render?: TemplateRenderer;
  debug?: (msg: string) => void;
  prepared?: Map<string, unknown>;
  byKey: Map<string, Chunk>;
}

/** Requisites that may keep a state from running (it runs only on an upstream change or failure). */
const MAY_NOT_RUN = new Set(['onchanges', 'onfail', 'prereq']);

/** Whether the run may read a state's checks and facts ahead (see the header). */
export function readsAhead(c: Chunk): boolean {
  return !c.requisites.some((r) => MAY_NOT_RUN.has(r.kind));
}

const hasChecks = (c: Chunk): boolean => c.meta.onlyif.length > 0 || c.meta.unless.length > 0;

export class ReadAhead {
  private readonly ahead = new Map<string, Ahead>();
  private readonly queue: PQueue;
  private stopped = false;

  /** `batched`: whether a state's facts come from the batched reads (prefetchFacts). */
  constructor(
    chunks: Chunk[],
    env: ReadAheadEnv,
    known: Promise<{ exists: KnownExists; guard?: KnownGuard }>,
    batched: (c: Chunk) => boolean,
    concurrency = 4,
  ) {
    this.queue = new PQueue({ concurrency });
    for (const c of chunks) {
      const gathers = !batched(c);
      if (!readsAhead(c) || (!gathers && !hasChecks(c))) continue;
      // declaration order: the state the run reaches first is read first
      const order = { priority: -c.index };
      const conditions = this.queue.add(async () => {
        const k = await known;
        return checkConditions(env.host, c, k.exists, k.guard);
      }, order);
      const entry: Ahead = { conditions: conditions.then((r) => r ?? null) };
      if (gathers) {
        entry.read = entry.conditions.then((skip) =>
          skip || this.stopped ? undefined : this.queue.add(() => gatherOne(c, env), order),
        );
        entry.read.catch(() => undefined); // a state never reached (failhard, stop): its error is not reported
      }
      entry.conditions.catch(() => undefined);
      this.ahead.set(c.key, entry);
    }
  }

  /** The state's onlyif/unless outcome read ahead (checkConditions' answer), or undefined. */
  conditions(c: Chunk): Promise<string | null> | undefined {
    return this.ahead.get(c.key)?.conditions;
  }

  /** The state's facts read ahead (once; its gather's log goes to `log`), or undefined: gather now. */
  async take(c: Chunk, log: CtxLog): Promise<{ facts: unknown } | undefined> {
    const a = this.ahead.get(c.key);
    const read = a?.read;
    if (!read) return undefined;
    delete a.read;
    const r = await read;
    if (!r) return undefined;
    log.info.push(...r.log.info);
    log.warn.push(...r.log.warn);
    return { facts: r.facts };
  }

  /** Reads not started yet are dropped (the run ended or stopped). */
  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }
}

async function gatherOne(c: Chunk, env: ReadAheadEnv): Promise<Read> {
  const log: CtxLog = { info: [], warn: [] };
  const facts = await c.fn.gather(env.host, c.args, makeCtx(c, env, log));
  return { facts, log };
}
