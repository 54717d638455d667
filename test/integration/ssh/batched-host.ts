// A Host whose changes (writeFileAtomic, mkdir, remove, rename) go through Host.applyOps, the batch
// script that waves use over SSH (engine/host/ssh-ops.ts), one op per call: the shared file suite
// run on it proves the script keeps each method's behaviour (modes, owners, atomic renames, errors).
// What RecordingHost would not batch (a mkdir mode with special bits) goes to the host itself.
import { TransportError } from '../../../engine/errors.js';
import type { Host, HostOp } from '../../../engine/host/host.js';
import { RecordingHost } from '../../../engine/run/wave-host.js';

export function batchedHost(host: Host): { host: Host; batches: () => number } {
  let n = 0;
  const via = async (record: (r: RecordingHost) => Promise<void>, direct: () => Promise<void>): Promise<void> => {
    const rec = new RecordingHost(host);
    try {
      await record(rec);
    } catch {
      return direct();
    }
    n++;
    const [r] = await host.applyOps!([rec.ops as HostOp[]]);
    if (!r!.ok) throw new TransportError(host.name, r!.error);
  };
  const h: Host = {
    name: host.name,
    applyOps: (g) => host.applyOps!(g),
    exec: (argv, opts) => host.exec(argv, opts),
    readFile: (p) => host.readFile(p),
    writeFileAtomic: (p, d, o) =>
      via(
        (r) => r.writeFileAtomic(p, d, o),
        () => host.writeFileAtomic(p, d, o),
      ),
    stat: (p) => host.stat(p),
    lstat: (p) => host.lstat(p),
    readlink: (p) => host.readlink(p),
    mkdir: (p, o) =>
      via(
        (r) => r.mkdir(p, o),
        () => host.mkdir(p, o),
      ),
    remove: (p, o) =>
      via(
        (r) => r.remove(p, o),
        () => host.remove(p, o),
      ),
    rename: (a, b) =>
      via(
        (r) => r.rename(a, b),
        () => host.rename(a, b),
      ),
    hash: (p) => host.hash(p),
    close: () => host.close(),
  };
  return { host: h, batches: () => n };
}
