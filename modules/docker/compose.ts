// docker_compose.up / down: a compose project (a directory with its compose file). `up` holds
// when `config` validates and every service has a running container whose
// `com.docker.compose.config-hash` label equals the hash `config --hash` computes now; the plan
// names the services that would be created, re-created or started. Uses `docker compose` when the
// host has it, else docker-compose 1.x.

import { basename, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CommandError, StateError } from '../../engine/errors.js';
import { shell } from '../../engine/host/exec.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { docker, inspect } from './cli.js';

export interface ComposeArgs {
  /** The project directory. */
  name: string;
  /** The compose file, relative to the project directory (default: compose's own lookup). */
  file?: string;
  /** The project name (default: the directory's name, as compose derives it). */
  project?: string;
  /** up: remove containers of services no longer in the file (default true). */
  remove_orphans?: boolean;
  /** down: also remove named volumes declared in the file. */
  volumes?: boolean;
  [k: string]: unknown;
}

export interface ComposeContainer {
  id: string;
  name: string;
  state: string;
  service: string;
  hash: string;
  /** The ID of the image the container runs. */
  image: string;
}

export interface ComposeFacts {
  project: string;
  /** Why `config` failed, or null. */
  configError: string | null;
  /** The project directory or compose file that does not exist yet (a pending state may write it). */
  missing?: string;
  /** Service name -> config hash computed now (empty when config failed or for down). */
  services: Record<string, string>;
  /** Service name -> ID of the image its `image:` names now (null: not present). */
  images: Record<string, string | null>;
  containers: ComposeContainer[];
  networks: string[];
}

const LABEL = 'com.docker.compose';

/** The project name compose derives from a directory name. */
export function projectName(args: ComposeArgs): string {
  return (
    args.project ??
    basename(args.name)
      .toLowerCase()
      .replace(/[^-_a-z0-9]/g, '')
  );
}

const binaries = new WeakMap<Host, Promise<string[]>>();

/** `docker compose` when the host has the plugin, else `docker-compose`. */
export function composeBinary(host: Host): Promise<string[]> {
  let p = binaries.get(host);
  if (!p) {
    p = shell(
      host,
      'if docker compose version >/dev/null 2>&1; then echo plugin; elif command -v docker-compose >/dev/null; then ' +
        'echo v1; else exit 127; fi',
    ).then((r) => {
      if (r.exitCode !== 0) throw new CommandError(r, 'neither `docker compose` nor `docker-compose` is installed');
      return r.stdout.trim() === 'plugin' ? ['docker', 'compose'] : ['docker-compose'];
    });
    binaries.set(host, p);
    p.catch(() => binaries.delete(host));
  }
  return p;
}

function fileArgs(args: ComposeArgs): string[] {
  if (!args.file) return [];
  return ['-f', isAbsolute(args.file) ? args.file : join(args.name, args.file)];
}

async function compose(host: Host, args: ComposeArgs, sub: string[]) {
  const bin = await composeBinary(host);
  return host.exec([...bin, ...fileArgs(args), '-p', projectName(args), ...sub], {
    cwd: args.name,
    timeoutMs: 600_000,
  });
}

const FORMAT = [
  '{{.ID}}',
  '{{.Names}}',
  '{{.State}}',
  `{{.Label "${LABEL}.service"}}`,
  `{{.Label "${LABEL}.config-hash"}}`,
  `{{.Label "${LABEL}.oneoff"}}`,
].join('\t');

async function readProject(
  host: Host,
  project: string,
): Promise<{ containers: ComposeContainer[]; networks: string[] }> {
  const [ps, nets] = await Promise.all([
    docker(host, [
      'container',
      'ls',
      '-a',
      '--no-trunc',
      '--filter',
      `label=${LABEL}.project=${project}`,
      '--format',
      FORMAT,
    ]),
    docker(host, ['network', 'ls', '--filter', `label=${LABEL}.project=${project}`, '--format', '{{.Name}}']),
  ]);
  const containers = ps.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .filter((f) => f[5] !== 'True')
    .map(([id, name, state, service, hash]) => ({
      id: id!,
      name: name!,
      state: state!,
      service: service!,
      hash: hash!,
      image: '',
    }));
  const inspected = await inspect<{ Id: string; Image: string }>(
    host,
    'container',
    containers.map((c) => c.id),
  );
  const imageOf = new Map(inspected.map((c) => [c.Id, c.Image]));
  for (const c of containers) c.image = imageOf.get(c.id) ?? '';
  return { containers, networks: nets.stdout.split('\n').filter(Boolean).sort() };
}

async function gatherUp(host: Host, args: ComposeArgs): Promise<ComposeFacts> {
  const project = projectName(args);
  const dir = await host.stat(args.name);
  if (dir?.type !== 'directory') {
    return {
      project,
      configError: `project directory ${args.name} does not exist`,
      missing: args.name,
      services: {},
      images: {},
      ...(await readProject(host, project)),
    };
  }
  const [cfg, hashes, live] = await Promise.all([
    compose(host, args, ['config']),
    compose(host, args, ['config', '--hash', '*']),
    readProject(host, project),
  ]);
  if (cfg.exitCode !== 0 || hashes.exitCode !== 0) {
    const err = (cfg.exitCode !== 0 ? cfg : hashes).stderr.trim().split('\n').slice(-3).join(' | ');
    const noFile = /Can't find a suitable configuration file|no configuration file provided/i.test(err);
    return {
      project,
      configError: err || `config exited ${cfg.exitCode || hashes.exitCode}`,
      ...(noFile ? { missing: join(args.name, 'docker-compose.yml') } : {}),
      services: {},
      images: {},
      ...live,
    };
  }
  // Compose re-creates a container whose image changed under the same name; so does the plan.
  const declared = (parseYaml(cfg.stdout) as { services?: Record<string, { image?: string }> } | null)?.services ?? {};
  const names = [...new Set(Object.values(declared).flatMap((s) => (s?.image ? [s.image] : [])))];
  const found = await Promise.all(
    names.map(async (n) => [n, (await inspect<{ Id: string }>(host, 'image', [n]))[0]?.Id ?? null] as const),
  );
  const idOf = new Map(found);
  const images: Record<string, string | null> = {};
  for (const [svc, def] of Object.entries(declared)) if (def?.image) images[svc] = idOf.get(def.image) ?? null;
  const services: Record<string, string> = {};
  for (const line of hashes.stdout.split('\n')) {
    const m = /^(\S+)\s+([0-9a-f]{64})$/.exec(line.trim());
    if (m) services[m[1]!] = m[2]!;
  }
  return { project, configError: null, services, images, ...live };
}

export function planUp(args: ComposeArgs, f: ComposeFacts): Change[] {
  if (f.missing)
    throw new MissingFactError('path', f.missing, args.name, `compose config is invalid: ${f.configError}`);
  if (f.configError) throw new StateError(args.name, `compose config is invalid: ${f.configError}`);
  const changes: Change[] = [];
  for (const [service, hash] of Object.entries(f.services)) {
    const mine = f.containers.filter((c) => c.service === service);
    if (mine.length === 0) {
      changes.push({ op: 'create', target: `service ${service}` });
      continue;
    }
    const stale = mine.filter((c) => c.hash !== hash);
    if (stale.length) {
      changes.push({
        op: 'update',
        target: `service ${service}`,
        before: `config ${stale[0]!.hash.slice(0, 12)}`,
        after: `re-created, config ${hash.slice(0, 12)}`,
      });
      continue;
    }
    const image = f.images[service];
    const oldImage = image ? mine.find((c) => c.image !== image) : undefined;
    if (oldImage) {
      changes.push({
        op: 'update',
        target: `service ${service}`,
        before: `image ${oldImage.image.slice(0, 19)}`,
        after: `re-created, image ${image!.slice(0, 19)}`,
      });
      continue;
    }
    const stopped = mine.filter((c) => c.state !== 'running');
    if (stopped.length)
      changes.push({ op: 'update', target: `service ${service}`, before: stopped[0]!.state, after: 'running' });
  }
  if (args.remove_orphans !== false) {
    for (const c of f.containers.filter((c) => !(c.service in f.services))) {
      changes.push({ op: 'delete', target: `orphan ${c.name}`, before: c.state });
    }
  }
  return changes;
}

export function planDown(_args: ComposeArgs, f: ComposeFacts): Change[] {
  return [
    ...f.containers.map((c): Change => ({ op: 'delete', target: `container ${c.name}`, before: c.state })),
    ...f.networks.map((n): Change => ({ op: 'delete', target: `network ${n}` })),
  ];
}

const schemaProps = {
  name: { type: 'string', pattern: '^/' },
  file: { type: 'string', minLength: 1 },
  project: { type: 'string', pattern: '^[a-z0-9][-_a-z0-9]*$' },
};

export const up: StateFunction<ComposeArgs, ComposeFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { ...schemaProps, remove_orphans: { type: 'boolean' } },
    additionalProperties: false,
  },
  gather: gatherUp,
  plan: planUp,
  async apply(host, _changes, ctx) {
    const r = await compose(host, ctx.args, [
      'up',
      '-d',
      ...(ctx.args.remove_orphans !== false ? ['--remove-orphans'] : []),
    ]);
    if (r.exitCode !== 0) throw new CommandError(r, `compose up of ${ctx.args.name} failed`);
  },
  async refresh(host, args) {
    const r = await compose(host, args, ['restart']);
    if (r.exitCode !== 0) throw new CommandError(r, `compose restart of ${args.name} failed`);
  },
  refreshVerb: () => 'restart',
};

export const down: StateFunction<ComposeArgs, ComposeFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { ...schemaProps, volumes: { type: 'boolean' } },
    additionalProperties: false,
  },
  async gather(host, args) {
    const project = projectName(args);
    return { project, configError: null, services: {}, images: {}, ...(await readProject(host, project)) };
  },
  plan: planDown,
  async apply(host, _changes, ctx) {
    const { args, facts } = ctx;
    if ((await host.stat(args.name))?.type === 'directory') {
      const r = await compose(host, args, ['down', '--remove-orphans', ...(args.volumes ? ['-v'] : [])]);
      if (r.exitCode === 0) return;
    }
    // The compose file is gone or broken: remove what the project's labels name.
    if (facts.containers.length) await docker(host, ['container', 'rm', '-f', ...facts.containers.map((c) => c.id)]);
    for (const n of facts.networks) await docker(host, ['network', 'rm', n]);
  },
};
