// Batched fact reads: one gatherMany call per state function before the run starts.
// The facts serve a state only while nothing has been applied on the host yet. `aggregate` tells
// gatherMany which states the runner may apply in one call (see aggregate.ts).
import type { Host } from '../host/host.js';
import type { StateFunction } from '../contract.js';
import type { Chunk } from '../compile/types.js';
import { makeCtx, type TemplateRenderer } from './ctx.js';

export async function prefetchFacts(
  chunks: Chunk[],
  o: {
    host: Host;
    statesDir: string;
    render?: TemplateRenderer;
    debug?: (m: string) => void;
    prepared?: Map<string, unknown>;
  },
  mayAggregate: (c: Chunk) => boolean = () => false,
): Promise<Map<string, unknown>> {
  const groups = new Map<StateFunction, Chunk[]>();
  for (const c of chunks) {
    if (!c.fn.gatherMany) continue;
    const g = groups.get(c.fn) ?? [];
    g.push(c);
    groups.set(c.fn, g);
  }
  const facts = new Map<string, unknown>();
  const ctxEnv = { ...o, byKey: new Map(chunks.map((c) => [c.key, c])) };
  await Promise.all(
    [...groups].map(async ([fn, cs]) => {
      try {
        const items = cs.map((c) => ({
          args: c.args,
          ctx: makeCtx(c, ctxEnv, { info: [], warn: [] }),
          aggregate: mayAggregate(c),
        }));
        const got = await fn.gatherMany!(o.host, items);
        if (got.length !== cs.length) return;
        cs.forEach((c, i) => facts.set(c.key, got[i]));
      } catch (e) {
        // each state gathers on its own instead
        o.debug?.(`batched gather of ${cs[0]!.module}.${cs[0]!.fun} failed: ${(e as Error).message}`);
      }
    }),
  );
  return facts;
}
