// docker_volume.present / absent. A volume holds data, so a driver that differs is a failure
// unless `force: true` allows brine to remove and re-create it.

import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { docker, inspectOne, labelsOf, pairsSchema, toMap } from './cli.js';

export interface VolumeArgs {
  name: string;
  driver?: string;
  driver_opts?: unknown;
  labels?: unknown;
  force?: boolean;
  [k: string]: unknown;
}

export interface VolumeFacts {
  exists: boolean;
  driver?: string;
  options?: Record<string, string>;
  labels?: Record<string, string>;
}

async function readVolume(host: Host, name: string): Promise<VolumeFacts> {
  const v = await inspectOne(host, 'volume', name);
  if (!v) return { exists: false };
  return { exists: true, driver: v.Driver, options: { ...(v.Options ?? {}) }, labels: labelsOf(v) };
}

export function planVolumePresent(args: VolumeArgs, f: VolumeFacts): Change[] {
  const want = { driver: args.driver ?? 'local', driver_opts: toMap(args.driver_opts), labels: toMap(args.labels) };
  if (!f.exists) return [{ op: 'create', target: args.name, after: want }];
  const have = { driver: f.driver, driver_opts: f.options ?? {}, labels: f.labels ?? {} };
  const drift: Change[] = [];
  if (have.driver !== want.driver)
    drift.push({ op: 'update', target: 'driver', before: have.driver, after: want.driver });
  if (Object.entries(want.driver_opts).some(([k, v]) => have.driver_opts[k] !== v))
    drift.push({ op: 'update', target: 'driver_opts', before: have.driver_opts, after: want.driver_opts });
  if (Object.entries(want.labels).some(([k, v]) => have.labels[k] !== v))
    drift.push({ op: 'update', target: 'labels', before: have.labels, after: want.labels });
  if (drift.length && !args.force) {
    throw new StateError(
      args.name,
      `volume exists with a different ${drift.map((d) => d.target).join(', ')}; re-creating it loses its data (set ` +
        `force: true to allow)`,
    );
  }
  return drift;
}

export const present: StateFunction<VolumeArgs, VolumeFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$' },
      driver: { type: 'string', minLength: 1 },
      driver_opts: pairsSchema,
      labels: pairsSchema,
      force: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  gather: (host, args) => readVolume(host, args.name),
  plan: planVolumePresent,
  async apply(host, _changes, ctx) {
    const { args } = ctx;
    if (ctx.facts.exists) await docker(host, ['volume', 'rm', '-f', args.name]);
    const argv = ['volume', 'create', '--driver', args.driver ?? 'local'];
    for (const [k, v] of Object.entries(toMap(args.driver_opts))) argv.push('--opt', `${k}=${v}`);
    for (const [k, v] of Object.entries(toMap(args.labels))) argv.push('--label', `${k}=${v}`);
    await docker(host, [...argv, args.name], {}, `creating volume ${args.name} failed`);
  },
};

export const absent: StateFunction<{ name: string; force?: boolean }, VolumeFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1 }, force: { type: 'boolean' } },
    additionalProperties: false,
  },
  gather: (host, args) => readVolume(host, args.name),
  plan: (args, f) => (f.exists ? [{ op: 'delete', target: args.name, before: { driver: f.driver } }] : []),
  async apply(host, _changes, ctx) {
    await docker(host, ['volume', 'rm', ...(ctx.args.force ? ['-f'] : []), ctx.args.name]);
  },
};
