// Execution functions in templates run on the target, as Salt renders on the minion. nunjucks
// renders synchronously and the Host is asynchronous, so a render runs in rounds:
//   1. render; a call already answered returns its cached value; a new call is recorded and a
//      placeholder stands in for it, and the render goes on to collect more calls;
//   2. if calls were recorded: run them on the target (in parallel, through the Host), cache the
//      answers, render again from the start. The round without new calls is the result.
// Safety: a command the template wrote (`cmd.*`) only runs when no placeholder can have reached
// its arguments (it is the round's first new call); reads may run with placeholder arguments
// (they change nothing) and are simply asked again. Templates never run code on the controller:
// every call goes through the Host. Answers are cached for the run (one ExecSession per run and
// host); a dry run makes the calls too (they are reads).
import PQueue from 'p-queue';
import type { Host } from '../../host/host.js';
import { RenderError } from '../../errors.js';
import { nj } from '../internals.js';
import { bindArgs } from '../kwargs.js';
import { TemplateFault } from '../pyvalue.js';
import { TARGET_FUNCTIONS, type TargetFunction } from './target-functions.js';

const MAX_ROUNDS = 1000;

/** Thrown inside a round to stop it: the rest of the render depends on a command not yet run. */
export class RoundPending extends TemplateFault {
  constructor(name: string) {
    super(`(waiting for ${name} on the target)`);
  }
}

interface Pending {
  key: string;
  name: string;
  args: unknown[];
}

export type TemplateLog = (level: string, message: string) => void;

export interface ExecSessionOptions {
  /** Where log.* messages go (the debug log). */
  log?: TemplateLog;
  /** Parallel calls per round; default 4 (sshd allows 10 sessions per connection). */
  concurrency?: number;
}

export class ExecSession {
  private readonly cache = new Map<string, { ok: unknown } | { err: string }>();
  private pending = new Map<string, Pending>();
  private logs: Array<[string, string]> = [];
  private sites = new Map<string, number>();
  /** Calls run on the target so far (for tests and the debug log). */
  calls = 0;

  constructor(
    readonly host: Host,
    private readonly o: ExecSessionOptions = {},
  ) {}

  static has(name: string): boolean {
    return Object.hasOwn(TARGET_FUNCTIONS, name);
  }

  static names(): string[] {
    return Object.keys(TARGET_FUNCTIONS);
  }

  /** The template-facing function `salt[name]` (sync; see the round protocol above). */
  fn(name: string): (...args: unknown[]) => unknown {
    const spec = TARGET_FUNCTIONS[name]!;
    return (...raw: unknown[]) => this.call(name, spec, raw);
  }

  private call(name: string, spec: TargetFunction, raw: unknown[]): unknown {
    const args = bindTarget(name, spec, raw);
    let key = `${name}\0${JSON.stringify(args)}`;
    if (spec.kind === 'cmd') {
      // a command may answer differently each time (`openssl rand`): each call site and repeat
      // in a render has its own answer; a re-render of the same template gets the same ones
      const loc = (nj.runtime.brineLoc as [string, number] | undefined) ?? ['', 0];
      const site = `${key}\0${loc[0]}:${loc[1]}`;
      const n = (this.sites.get(site) ?? 0) + 1;
      this.sites.set(site, n);
      key = `${site}#${n}`;
    }
    const hit = this.cache.get(key);
    if (hit) {
      if ('err' in hit) throw new TemplateFault(hit.err);
      return hit.ok !== null && typeof hit.ok === 'object' ? structuredClone(hit.ok) : hit.ok;
    }
    if (spec.kind === 'cmd' && this.pending.size) throw new RoundPending(name);
    this.pending.set(key, { key, name, args });
    return structuredClone(spec.placeholder);
  }

  /** log.debug/info/warning/error/critical: kept until the round that counts. */
  log(level: string, message: string): void {
    this.logs.push([level, message]);
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  beginRound(): void {
    this.pending = new Map();
    this.logs = [];
    this.sites = new Map();
  }

  endRound(): void {
    for (const [level, msg] of this.logs) this.o.log?.(level, msg);
    this.logs = [];
  }

  /** Runs the recorded calls on the target and caches their answers. */
  async resolvePending(): Promise<void> {
    const queue = new PQueue({ concurrency: this.o.concurrency ?? 4 });
    const todo = [...this.pending.values()];
    this.pending = new Map();
    await Promise.all(
      todo.map((p) =>
        queue.add(async () => {
          this.calls++;
          try {
            this.cache.set(p.key, { ok: await TARGET_FUNCTIONS[p.name]!.run(this.host, p.args) });
          } catch (e) {
            if (!(e instanceof TemplateFault)) throw e;
            this.cache.set(p.key, { err: e.message });
          }
        }),
      ),
    );
  }
}

function bindTarget(name: string, spec: TargetFunction, raw: unknown[]): unknown[] {
  if (spec.params[0] === '*') {
    const last = raw[raw.length - 1] as Record<string, unknown> | undefined;
    if (last && typeof last === 'object' && (last as { __keywords?: unknown }).__keywords) {
      const extra = Object.keys(last).filter((k) => k !== '__keywords');
      if (extra.length) throw new TemplateFault(`${name}() got an unexpected keyword argument '${extra[0]}'`);
      return raw.slice(0, -1);
    }
    return raw;
  }
  const args = bindArgs(name, spec.params, raw);
  const [first] = args;
  if (first === undefined && spec.params.length && !spec.optional)
    throw new TemplateFault(`${name}() missing required argument '${spec.params[0]}'`);
  const used = spec.ignored ?? [];
  return args.map((v, i) => (used.includes(spec.params[i]!) ? undefined : v));
}

/**
 * Renders with target calls: `render` is run in rounds until it needs no new call (see above).
 * Without a session, a template that calls a target function fails with a RenderError.
 */
export async function renderOnTarget<T>(session: ExecSession | undefined, render: () => T): Promise<T> {
  if (!session) return render();
  for (let round = 0; ; round++) {
    session.beginRound();
    try {
      const out = render();
      if (!session.hasPending) {
        session.endRound();
        return out;
      }
    } catch (e) {
      if (!session.hasPending) {
        session.endRound();
        throw e;
      }
    }
    if (round >= MAX_ROUNDS)
      throw new RenderError(
        '(templates)',
        undefined,
        `more than ${MAX_ROUNDS} rounds of calls to the target while rendering`,
      );
    await session.resolvePending();
  }
}
