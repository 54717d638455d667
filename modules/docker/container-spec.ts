// The configuration of a container as two comparable shapes: what the state asks for (args plus
// the image's defaults) and what `docker container inspect` shows. A field that differs is drift,
// and drift means the container is re-created.

import { toMap } from './cli.js';
import { splitCommand } from '../../engine/shell-words.js';

/** The fields brine manages, normalized so that equal configurations compare equal. */
export interface ContainerSpec {
  image: string;
  command: string[] | null;
  entrypoint: string[] | null;
  environment: Record<string, string>;
  ports: string[];
  volumes: string[];
  networks: string[];
  restart_policy: string;
  labels: Record<string, string>;
  hostname?: string;
  user?: string;
  working_dir?: string;
}

export interface ContainerArgs {
  name: string;
  image: string;
  command?: string | string[];
  entrypoint?: string;
  environment?: unknown;
  ports?: Array<string | number>;
  /** Salt's name for ports. */
  port_bindings?: Array<string | number>;
  volumes?: string[];
  binds?: string[];
  networks?: string[];
  restart_policy?: string;
  labels?: unknown;
  hostname?: string;
  user?: string;
  working_dir?: string;
  [k: string]: unknown;
}

/** What the image contributes when the state leaves a field out. */
export interface ImageDefaults {
  id: string;
  cmd: string[] | null;
  entrypoint: string[] | null;
  env: string[];
  labels: Record<string, string>;
}

/** `80`, `8080:80`, `127.0.0.1:8080:80/udp`, `127.0.0.1::80` -> `IP:HOSTPORT:PORT/proto`. */
export function normalizePort(p: string | number): string {
  let s = String(p);
  let proto = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    proto = s.slice(slash + 1).toLowerCase();
    s = s.slice(0, slash);
  }
  const parts = s.split(':');
  let ip = '';
  let hostPort = '';
  let port: string;
  if (parts.length === 1) port = parts[0]!;
  else if (parts.length === 2) [hostPort, port] = parts as [string, string];
  else {
    port = parts.pop()!;
    hostPort = parts.pop()!;
    ip = parts.join(':').replace(/^\[|\]$/g, '');
  }
  if (ip === '0.0.0.0') ip = '';
  return `${ip}:${hostPort}:${port}/${proto}`;
}

/** `src:dst`, `src:dst:ro` -> the same with the default `rw` mode left out. */
export function normalizeVolume(v: string): string {
  const parts = v.split(':');
  if (parts.length === 3 && parts[2] === 'rw') parts.pop();
  return parts.join(':');
}

export function normalizeRestart(name: string | undefined, count?: number): string {
  if (!name || name === 'no') return 'no';
  if (name === 'on-failure' && count) return `on-failure:${count}`;
  return name;
}

function envMap(list: string[] | null | undefined): Record<string, string> {
  return toMap(list ?? []);
}

function sortedMap(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Published ports, whichever name the args used. */
export function portsOf(args: ContainerArgs): Array<string | number> {
  return [...(args.ports ?? []), ...(args.port_bindings ?? [])];
}

/** The args as a list (or null) for command. */
export function commandOf(args: ContainerArgs): string[] | undefined {
  if (args.command === undefined) return undefined;
  const argv = Array.isArray(args.command) ? args.command.map(String) : splitCommand(args.command);
  // An empty command means the image's, as `docker create IMAGE` without one.
  return argv.length ? argv : undefined;
}

/** The desired configuration: the args over the image's defaults. */
export function desiredSpec(args: ContainerArgs, image: ImageDefaults): ContainerSpec {
  const command = commandOf(args);
  const spec: ContainerSpec = {
    image: image.id,
    command: command ?? (args.entrypoint !== undefined ? null : image.cmd),
    // `--entrypoint ''` clears the image's entrypoint.
    entrypoint: args.entrypoint !== undefined ? (args.entrypoint ? [args.entrypoint] : null) : image.entrypoint,
    environment: sortedMap({ ...envMap(image.env), ...toMap(args.environment) }),
    ports: [...new Set(portsOf(args).map(normalizePort))].sort(),
    volumes: [...new Set([...(args.volumes ?? []), ...(args.binds ?? [])].map(normalizeVolume))].sort(),
    networks: args.networks?.length ? [...new Set(args.networks)].sort() : ['bridge'],
    restart_policy: normalizeRestart(args.restart_policy),
    labels: sortedMap({ ...image.labels, ...toMap(args.labels) }),
  };
  if (args.hostname !== undefined) spec.hostname = args.hostname;
  if (args.user !== undefined) spec.user = args.user;
  if (args.working_dir !== undefined) spec.working_dir = args.working_dir;
  return spec;
}

/** What `docker container inspect` shows, in the same shape (only the fields the args manage). */
export function observedSpec(c: Record<string, any>, args: ContainerArgs): ContainerSpec {
  const cfg = c.Config ?? {};
  const hc = c.HostConfig ?? {};
  const ports: string[] = [];
  for (const [key, bindings] of Object.entries<Array<{ HostIp?: string; HostPort?: string }> | null>(
    hc.PortBindings ?? {},
  )) {
    for (const b of bindings ?? [{}]) ports.push(normalizePort(`${b.HostIp || ''}:${b.HostPort || ''}:${key}`));
  }
  const spec: ContainerSpec = {
    image: c.Image,
    command: cfg.Cmd?.length ? cfg.Cmd : null,
    entrypoint: cfg.Entrypoint?.length ? cfg.Entrypoint : null,
    environment: sortedMap(envMap(cfg.Env)),
    ports: [...new Set(ports)].sort(),
    volumes: [...new Set<string>((hc.Binds ?? []).map(normalizeVolume))].sort(),
    networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort(),
    restart_policy: normalizeRestart(hc.RestartPolicy?.Name, hc.RestartPolicy?.MaximumRetryCount),
    labels: sortedMap({ ...(cfg.Labels ?? {}) }),
  };
  if (args.hostname !== undefined) spec.hostname = cfg.Hostname ?? '';
  if (args.user !== undefined) spec.user = cfg.User ?? '';
  if (args.working_dir !== undefined) spec.working_dir = cfg.WorkingDir ?? '';
  return spec;
}

/**
 * Leaves out the environment variables and labels that come from the image and that the args do
 * not set: a new image changes them, and that change is reported once, as the image's.
 */
export function withoutImageDefaults(spec: ContainerSpec, image: ImageDefaults, args: ContainerArgs): ContainerSpec {
  const imageEnv = envMap(image.env);
  const argEnv = toMap(args.environment);
  const argLabels = toMap(args.labels);
  const keep = (m: Record<string, string>, fromImage: Record<string, string>, fromArgs: Record<string, string>) =>
    Object.fromEntries(Object.entries(m).filter(([k]) => k in fromArgs || !(k in fromImage)));
  return {
    ...spec,
    environment: keep(spec.environment, imageEnv, argEnv),
    labels: keep(spec.labels, image.labels, argLabels),
  };
}

/** The fields that differ, as before/after pairs (map fields show only the keys that differ). */
export function specDrift(
  observed: ContainerSpec,
  desired: ContainerSpec,
): Array<{ field: string; before: unknown; after: unknown }> {
  const out: Array<{ field: string; before: unknown; after: unknown }> = [];
  for (const field of Object.keys(desired) as Array<keyof ContainerSpec>) {
    const a = observed[field];
    const b = desired[field];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (field === 'environment' || field === 'labels') {
      const am = a as Record<string, string>;
      const bm = b as Record<string, string>;
      const keys = [...new Set([...Object.keys(am), ...Object.keys(bm)])].filter((k) => am[k] !== bm[k]).sort();
      out.push({
        field,
        before: Object.fromEntries(keys.filter((k) => k in am).map((k) => [k, am[k]])),
        after: Object.fromEntries(keys.filter((k) => k in bm).map((k) => [k, bm[k]])),
      });
    } else out.push({ field, before: a, after: b });
  }
  return out;
}
