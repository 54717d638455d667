// Calls made in the same turn of the event loop for one host and key go out as one call (the
// runner reads the facts of every state function at once: their package reads can share a command).
// `microtask`: the batch goes out as soon as the code that made the calls yields, ahead of the
// processes and timers the same turn started (for calls that are all made synchronously, like the
// runner's batched reads: `immediate` would wait behind every exec the other reads spawned).
import type { Host } from '../../engine/host/host.js';

interface Pending<Req, Res> {
  reqs: Array<{ req: Req; resolve(r: Res): void; reject(e: unknown): void }>;
}

export class TickBatcher<Req, Res> {
  private readonly pending = new WeakMap<Host, Map<string, Pending<Req, Res>>>();

  constructor(
    private readonly run: (host: Host, reqs: Req[]) => Promise<Res[]>,
    private readonly when: 'immediate' | 'microtask' = 'immediate',
  ) {}

  add(host: Host, key: string, req: Req): Promise<Res> {
    let byKey = this.pending.get(host);
    if (!byKey) this.pending.set(host, (byKey = new Map()));
    let p = byKey.get(key);
    if (!p) {
      const batch: Pending<Req, Res> = (p = { reqs: [] });
      byKey.set(key, batch);
      (this.when === 'microtask' ? queueMicrotask : setImmediate)(() => {
        byKey!.delete(key);
        this.run(
          host,
          batch.reqs.map((r) => r.req),
        ).then(
          (out) => batch.reqs.forEach((r, i) => r.resolve(out[i]!)),
          (e) => batch.reqs.forEach((r) => r.reject(e)),
        );
      });
    }
    return new Promise<Res>((resolve, reject) => p.reqs.push({ req, resolve, reject }));
  }
}
