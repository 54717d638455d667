// docker_network.present / absent for user networks (docker0's own address is daemon config,
// `bip` in /etc/docker/daemon.json, managed with file states). A network whose driver, subnet,
// gateway or internal flag drifted is re-created, and the containers attached to it re-attached.

import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { docker, inspectOne, labelsOf, pairsSchema, toMap } from './cli.js';

export interface NetworkArgs {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: unknown;
  [k: string]: unknown;
}

export interface NetworkFacts {
  exists: boolean;
  driver?: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  /** Names of the containers attached. */
  containers?: string[];
}

async function readNetwork(host: Host, name: string): Promise<NetworkFacts> {
  const n = await inspectOne(host, 'network', name);
  if (!n) return { exists: false };
  const ipam = n.IPAM?.Config?.[0] ?? {};
  return {
    exists: true,
    driver: n.Driver,
    subnet: ipam.Subnet ?? '',
    gateway: ipam.Gateway ?? '',
    internal: Boolean(n.Internal),
    labels: labelsOf(n),
    containers: Object.values<{ Name: string }>(n.Containers ?? {})
      .map((c) => c.Name)
      .sort(),
  };
}

export function planNetworkPresent(args: NetworkArgs, f: NetworkFacts): Change[] {
  const want: Record<string, unknown> = { driver: args.driver ?? 'bridge' };
  if (args.subnet !== undefined) want.subnet = args.subnet;
  if (args.gateway !== undefined) want.gateway = args.gateway;
  if (args.internal !== undefined) want.internal = args.internal;
  const labels = toMap(args.labels);
  if (Object.keys(labels).length) want.labels = labels;
  if (!f.exists) return [{ op: 'create', target: args.name, after: want }];
  const changes: Change[] = [];
  for (const [k, v] of Object.entries(want)) {
    const have = (f as unknown as Record<string, unknown>)[k];
    if (k === 'labels') {
      const h = have as Record<string, string>;
      if (Object.entries(labels).some(([lk, lv]) => h[lk] !== lv))
        changes.push({ op: 'update', target: 'labels', before: h, after: { ...h, ...labels } });
    } else if (have !== v) changes.push({ op: 'update', target: k, before: have, after: v });
  }
  return changes;
}

function createArgv(args: NetworkArgs): string[] {
  const argv = ['network', 'create', '--driver', args.driver ?? 'bridge'];
  if (args.subnet) argv.push('--subnet', args.subnet);
  if (args.gateway) argv.push('--gateway', args.gateway);
  if (args.internal) argv.push('--internal');
  for (const [k, v] of Object.entries(toMap(args.labels))) argv.push('--label', `${k}=${v}`);
  argv.push(args.name);
  return argv;
}

export const present: StateFunction<NetworkArgs, NetworkFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1 },
      driver: { type: 'string', minLength: 1 },
      subnet: { type: 'string', pattern: '^[0-9a-fA-F.:]+/[0-9]+$' },
      gateway: { type: 'string', pattern: '^[0-9a-fA-F.:]+$' },
      internal: { type: 'boolean' },
      labels: pairsSchema,
    },
    additionalProperties: false,
  },
  gather: (host, args) => readNetwork(host, args.name),
  plan: planNetworkPresent,
  async apply(host, _changes, ctx) {
    const attached = ctx.facts.containers ?? [];
    if (ctx.facts.exists) {
      for (const c of attached) await docker(host, ['network', 'disconnect', '-f', ctx.args.name, c]);
      await docker(host, ['network', 'rm', ctx.args.name]);
    }
    await docker(host, createArgv(ctx.args), {}, `creating network ${ctx.args.name} failed`);
    for (const c of attached) await docker(host, ['network', 'connect', ctx.args.name, c]);
  },
};

export const absent: StateFunction<{ name: string }, NetworkFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1 } },
    additionalProperties: false,
  },
  gather: (host, args) => readNetwork(host, args.name),
  plan: (args, f) =>
    f.exists
      ? [{ op: 'delete', target: args.name, before: { driver: f.driver, subnet: f.subnet, containers: f.containers } }]
      : [],
  async apply(host, _changes, ctx) {
    for (const c of ctx.facts.containers ?? []) await docker(host, ['network', 'disconnect', '-f', ctx.args.name, c]);
    await docker(host, ['network', 'rm', ctx.args.name]);
  },
};
