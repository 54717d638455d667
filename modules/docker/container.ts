// docker_container.running / stopped / absent. running creates and starts a container, and
// re-creates it when its configuration drifted from the state (image, command, entrypoint,
// environment, ports, volumes, networks, restart policy, labels, hostname, user, working dir):
// each drifted field is one change with its before and after. absent removes a running container
// only with `force: True`, as Salt does; without it the state fails naming the container.

import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { ContainerChange, ContainerItselfChange, RunStateChange } from './changes.js';
import { docker, inspect, inspectOne, pairsSchema, toMap } from './cli.js';
import {
  type ContainerArgs,
  type ContainerSpec,
  commandOf,
  desiredSpec,
  type ImageDefaults,
  normalizePort,
  normalizeVolume,
  observedSpec,
  portsOf,
  specDrift,
  withoutImageDefaults,
} from './container-spec.js';

export interface ContainerFacts {
  container: { id: string; running: boolean; status: string; spec: ContainerSpec | null } | null;
  image: ImageDefaults | null;
}

function imageDefaults(img: Record<string, any> | null | undefined): ImageDefaults | null {
  if (!img) return null;
  const cfg = img.Config ?? {};
  return {
    id: img.Id,
    cmd: cfg.Cmd?.length ? cfg.Cmd : null,
    entrypoint: cfg.Entrypoint?.length ? cfg.Entrypoint : null,
    env: cfg.Env ?? [],
    labels: { ...(cfg.Labels ?? {}) },
  };
}

async function readImage(host: Host, name: string): Promise<ImageDefaults | null> {
  return imageDefaults(await inspectOne(host, 'image', name));
}

async function readContainer(host: Host, name: string, args?: ContainerArgs): Promise<ContainerFacts['container']> {
  return containerFacts(await inspectOne(host, 'container', name), args);
}

function containerFacts(c: Record<string, any> | null | undefined, args?: ContainerArgs): ContainerFacts['container'] {
  if (!c) return null;
  return {
    id: c.Id,
    running: Boolean(c.State?.Running),
    status: String(c.State?.Status ?? 'unknown'),
    spec: args ? observedSpec(c, args) : null,
  };
}

/** A short, readable summary of what would be created. */
function summary(args: ContainerArgs): Record<string, unknown> {
  const s: Record<string, unknown> = { image: args.image };
  const command = commandOf(args);
  if (command) s.command = command;
  if (portsOf(args).length) s.ports = portsOf(args).map(normalizePort);
  const vols = [...(args.volumes ?? []), ...(args.binds ?? [])];
  if (vols.length) s.volumes = vols.map(normalizeVolume);
  if (args.networks?.length) s.networks = args.networks;
  if (args.restart_policy) s.restart_policy = args.restart_policy;
  const env = toMap(args.environment);
  if (Object.keys(env).length) s.environment = env;
  return s;
}

export function planRunning(args: ContainerArgs, facts: ContainerFacts): ContainerChange[] {
  const c = facts.container;
  if (!c) return [{ op: 'create', kind: 'container', target: args.name, after: summary(args) }];
  if (!facts.image) {
    // The image does not exist yet (an earlier state in this run makes it): the container follows.
    return [{ op: 'update', kind: 'config', target: 'image', before: c.spec?.image.slice(0, 19), after: args.image }];
  }
  const drift = specDrift(
    withoutImageDefaults(c.spec!, facts.image, args),
    withoutImageDefaults(desiredSpec(args, facts.image), facts.image, args),
  );
  const changes: ContainerChange[] = drift.map((d) => ({
    op: 'update',
    kind: 'config',
    target: d.field,
    before: d.field === 'image' ? String(d.before).slice(0, 19) : d.before,
    after: d.field === 'image' ? `${args.image} (${String(d.after).slice(0, 19)})` : d.after,
  }));
  if (!c.running) changes.push({ op: 'update', kind: 'state', target: 'state', before: c.status, after: 'running' });
  return changes;
}

/** `docker create` argv for the args (the image supplies everything the args leave out). */
export function createArgv(args: ContainerArgs): string[] {
  const argv = ['container', 'create', '--name', args.name];
  if (args.hostname !== undefined) argv.push('--hostname', args.hostname);
  if (args.user !== undefined) argv.push('--user', args.user);
  if (args.working_dir !== undefined) argv.push('--workdir', args.working_dir);
  if (args.entrypoint !== undefined) argv.push('--entrypoint', args.entrypoint);
  for (const [k, v] of Object.entries(toMap(args.environment))) argv.push('--env', `${k}=${v}`);
  for (const [k, v] of Object.entries(toMap(args.labels))) argv.push('--label', `${k}=${v}`);
  for (const p of portsOf(args)) {
    const [ip, hostPort, rest] = splitPort(normalizePort(p));
    argv.push('--publish', ip ? `${ip}:${hostPort}:${rest}` : hostPort ? `${hostPort}:${rest}` : rest);
  }
  for (const v of [...(args.volumes ?? []), ...(args.binds ?? [])]) argv.push('--volume', v);
  if (args.networks?.length) argv.push('--network', args.networks[0]!);
  argv.push('--restart', args.restart_policy ?? 'no');
  argv.push(args.image);
  const command = commandOf(args);
  if (command) argv.push(...command);
  return argv;
}

function splitPort(norm: string): [string, string, string] {
  const last = norm.lastIndexOf(':');
  const rest = norm.slice(last + 1);
  const head = norm.slice(0, last);
  const mid = head.lastIndexOf(':');
  return [head.slice(0, mid), head.slice(mid + 1), rest];
}

async function recreate(host: Host, args: ContainerArgs, existing: boolean): Promise<void> {
  if (existing) await docker(host, ['container', 'rm', '-f', args.name]);
  await docker(host, createArgv(args), {}, `creating container ${args.name} failed`);
  for (const net of (args.networks ?? []).slice(1)) await docker(host, ['network', 'connect', net, args.name]);
  await docker(host, ['container', 'start', args.name], {}, `starting container ${args.name} failed`);
}

const portPattern = '^((\\[[0-9a-fA-F:]+\\]|[0-9.]+):)?([0-9]*:)?[0-9]+(/(tcp|udp|sctp))?$';

export const running: StateFunction<ContainerArgs, ContainerFacts, ContainerChange> = {
  schema: {
    type: 'object',
    required: ['name', 'image'],
    properties: {
      name: { type: 'string', pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$' },
      image: { type: 'string', minLength: 1 },
      command: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: ['string', 'number'] } }] },
      entrypoint: { type: 'string' },
      environment: pairsSchema,
      ports: { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: portPattern }] } },
      port_bindings: {
        type: 'array',
        items: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: portPattern }] },
      },
      volumes: { type: 'array', items: { type: 'string', pattern: '^[^:]+:/[^:]*(:(ro|rw|z|Z|ro,z|ro,Z))?$' } },
      binds: { type: 'array', items: { type: 'string', pattern: '^[^:]+:/[^:]*(:(ro|rw|z|Z|ro,z|ro,Z))?$' } },
      networks: { type: 'array', items: { type: 'string', minLength: 1 } },
      restart_policy: { type: 'string', pattern: '^(no|always|unless-stopped|on-failure(:[0-9]+)?)$' },
      labels: pairsSchema,
      hostname: { type: 'string' },
      user: { type: 'string' },
      working_dir: { type: 'string' },
    },
    additionalProperties: false,
  },
  async gather(host, args) {
    const [image, container] = await Promise.all([readImage(host, args.image), readContainer(host, args.name, args)]);
    return { image, container };
  },
  async gatherMany(host, items) {
    // One `docker image inspect` and one `docker container inspect` for every container state.
    const images = [...new Set(items.map((i) => i.args.image))];
    const names = [...new Set(items.map((i) => i.args.name))];
    const [imgs, ctrs] = await Promise.all([inspect(host, 'image', images), inspect(host, 'container', names)]);
    const imageByName = new Map<string, Record<string, any>>();
    for (const img of imgs) {
      for (const n of images)
        if (img.Id === n || (img.RepoTags ?? []).includes(n.includes(':') ? n : `${n}:latest`)) imageByName.set(n, img);
    }
    // A name given as an ID, digest or short form is not in RepoTags: ask for it on its own.
    const unmatched = images.filter((n) => !imageByName.has(n));
    await Promise.all(
      unmatched.map(async (n) => {
        const img = await inspectOne(host, 'image', n);
        if (img) imageByName.set(n, img);
      }),
    );
    const ctrByName = new Map(ctrs.map((c) => [String(c.Name).replace(/^\//, ''), c]));
    return items.map(({ args }) => ({
      image: imageDefaults(imageByName.get(args.image)),
      container: containerFacts(ctrByName.get(args.name), args),
    }));
  },
  plan: planRunning,
  async apply(host, changes, ctx) {
    const onlyStart = changes.every((c) => c.kind === 'state');
    if (onlyStart)
      await docker(host, ['container', 'start', ctx.args.name], {}, `starting container ${ctx.args.name} failed`);
    else await recreate(host, ctx.args, ctx.facts.container !== null);
  },
  async refresh(host, args) {
    await docker(host, ['container', 'restart', args.name]);
  },
  refreshVerb: () => 'restart',
};

interface NameArgs {
  name: string;
  force?: boolean;
  [k: string]: unknown;
}

const nameSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 }, force: { type: 'boolean' } },
  additionalProperties: false,
};

export const stopped: StateFunction<NameArgs & { timeout?: number }, ContainerFacts['container'], RunStateChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1 }, timeout: { type: 'integer', minimum: 0 } },
    additionalProperties: false,
  },
  gather: (host, args) => readContainer(host, args.name),
  plan(args, c) {
    if (!c) throw new StateError(args.name, 'container does not exist');
    return c.running ? [{ op: 'update', kind: 'state', target: 'state', before: c.status, after: 'exited' }] : [];
  },
  async apply(host, _changes, ctx) {
    const t = ctx.args.timeout;
    await docker(host, ['container', 'stop', ...(t !== undefined ? ['-t', String(t)] : []), ctx.args.name]);
  },
};

export const absent: StateFunction<NameArgs, ContainerFacts['container'], ContainerItselfChange> = {
  schema: nameSchema,
  gather: (host, args) => readContainer(host, args.name),
  plan(args, c) {
    if (!c) return [];
    // As Salt: a running (or paused) container is removed only with force: True.
    if (c.running && !args.force) {
      throw new StateError(args.name, `container ${args.name} is running; set force: True to remove it`);
    }
    return [{ op: 'delete', kind: 'container', target: args.name, before: c.status }];
  },
  async apply(host, _changes, ctx) {
    // Without force, `rm` (no -f) also refuses a container that started after the plan.
    await docker(host, ['container', 'rm', ...(ctx.args.force ? ['-f'] : []), ctx.args.name]);
  },
};
