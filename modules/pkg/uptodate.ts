// pkg.uptodate: every upgradable package upgraded (apt-get upgrade, or dist-upgrade). The plan is
// apt's own simulation, so the dry run lists exactly the packages the real run upgrades.
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { APT_ENV, aptGet, failApt } from './apt.js';
import { aptRead, SIM } from './apt-read.js';

export interface UptodateArgs {
  name: string;
  dist_upgrade?: boolean;
  lock_timeout?: number;
  [k: string]: unknown;
}

export interface UptodateFacts {
  /** apt-get -s output lines: Inst/Remv. */
  actions: Change[];
}

/** Parses `apt-get -s ...` output (Inst NAME [OLD] (NEW ...), Remv/Purg NAME [OLD]). */
export function parseSimulation(out: string): Change[] {
  const changes: Change[] = [];
  for (const line of out.split('\n')) {
    let m = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+)/.exec(line);
    if (m) {
      changes.push({ op: m[2] ? 'update' : 'create', target: m[1]!, ...(m[2] ? { before: m[2] } : {}), after: m[3] });
      continue;
    }
    m = /^(?:Remv|Purg) (\S+)(?: \[([^\]]+)\])?/.exec(line);
    if (m) changes.push({ op: 'delete', target: m[1]!, ...(m[2] ? { before: m[2] } : {}) });
  }
  return changes;
}

async function simulate(host: Host, args: UptodateArgs): Promise<UptodateFacts> {
  const verb = args.dist_upgrade ? 'dist-upgrade' : 'upgrade';
  const r = await host.exec(aptRead('apt-get', [...SIM, verb]), { env: APT_ENV });
  if (r.exitCode !== 0) failApt(args.name, r, `apt-get -s ${verb}`);
  return { actions: parseSimulation(r.stdout) };
}

export const uptodate: StateFunction<UptodateArgs, UptodateFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1 },
      dist_upgrade: { type: 'boolean' },
      lock_timeout: { type: 'integer', minimum: 0 },
    },
    additionalProperties: false,
  },
  lock: 'dpkg',
  gather: simulate,
  plan: (_args, facts) => facts.actions,
  async apply(host, changes, ctx) {
    const verb = ctx.args.dist_upgrade ? 'dist-upgrade' : 'upgrade';
    await aptGet(host, ctx.name, [verb], { lockTimeout: ctx.args.lock_timeout });
    return { comment: `${verb}: ${changes.length} package(s)` };
  },
};
