// The push inventory (YAML): hosts with their connection settings and vars, and groups of hosts.
//
//   hosts:
//     web1: { address: 10.0.0.5, port: 22, user: root, identity: ~/.ssh/ecs, vars: { ... } }
//     db1:  { address: db1.example.org }
//   groups:
//     prod: [web1, db1]                        # a list of hosts (or groups)
//     web:  { hosts: [web1], vars: { ... } }   # or hosts + vars for every member
//
// Vars are merged into that host's pillar (group vars first, then the host's own).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import deepmerge from 'deepmerge';
import { parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { parseTargetSpec, type SshTarget } from '../host/ssh-config.js';

export interface InventoryHost {
  address?: string;
  port?: number;
  user?: string;
  identity?: string;
  vars?: Record<string, unknown>;
}

export interface InventoryGroup {
  hosts: string[];
  vars?: Record<string, unknown>;
}

export interface Inventory {
  file: string;
  hosts: Record<string, InventoryHost>;
  groups: Record<string, InventoryGroup>;
}

/** One host to push to. */
export interface PushTarget {
  /** Label in output: the inventory name or the TARGET as given. */
  label: string;
  target: SshTarget;
  /** Identity file from the inventory. */
  identity?: string;
  /** Pillar overrides from the inventory. */
  vars: Record<string, unknown>;
  /** A TARGET that is not in the --inventory given (the file): said when its name does not resolve. */
  notInInventory?: string;
}

const HOST_KEYS = new Set(['address', 'port', 'user', 'identity', 'vars']);

function isMap(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export function parseInventory(text: string, file: string): Inventory {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UsageError(`${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  const bad = (key: string, why: string): never => {
    throw new UsageError(`${file}: ${key}: ${why}`);
  };
  if (!isMap(raw)) bad('(top)', 'expected a mapping with hosts: and groups:');
  const top = raw as Record<string, unknown>;
  for (const k of Object.keys(top))
    if (k !== 'hosts' && k !== 'groups') bad(k, 'unknown key (expected hosts or groups)');
  const hosts: Record<string, InventoryHost> = {};
  const rawHosts = top.hosts ?? {};
  if (!isMap(rawHosts)) bad('hosts', 'expected a mapping of host names');
  for (const [name, v] of Object.entries(rawHosts as Record<string, unknown>)) {
    const h = v ?? {};
    if (!isMap(h)) bad(`hosts.${name}`, 'expected a mapping (address, port, user, identity, vars)');
    const m = h as Record<string, unknown>;
    for (const k of Object.keys(m))
      if (!HOST_KEYS.has(k)) bad(`hosts.${name}.${k}`, 'unknown key (expected address, port, user, identity, vars)');
    if (m.address !== undefined && typeof m.address !== 'string') bad(`hosts.${name}.address`, 'expected a string');
    if (m.user !== undefined && typeof m.user !== 'string') bad(`hosts.${name}.user`, 'expected a string');
    if (m.identity !== undefined && typeof m.identity !== 'string') bad(`hosts.${name}.identity`, 'expected a path');
    if (m.port !== undefined && !(Number.isInteger(m.port) && (m.port as number) > 0 && (m.port as number) < 65536)) {
      bad(`hosts.${name}.port`, `expected a port number, got '${String(m.port)}'`);
    }
    if (m.vars !== undefined && !isMap(m.vars)) bad(`hosts.${name}.vars`, 'expected a mapping');
    hosts[name] = m as InventoryHost;
  }
  const groups: Record<string, InventoryGroup> = {};
  const rawGroups = top.groups ?? {};
  if (!isMap(rawGroups)) bad('groups', 'expected a mapping of group names');
  for (const [name, v] of Object.entries(rawGroups as Record<string, unknown>)) {
    if (hosts[name]) bad(`groups.${name}`, 'a host has the same name');
    let members: unknown = v;
    let vars: unknown;
    if (isMap(v)) {
      for (const k of Object.keys(v))
        if (k !== 'hosts' && k !== 'vars') bad(`groups.${name}.${k}`, 'unknown key (expected hosts or vars)');
      members = v.hosts ?? [];
      vars = v.vars;
      if (vars !== undefined && !isMap(vars)) bad(`groups.${name}.vars`, 'expected a mapping');
    }
    if (!Array.isArray(members) || members.some((m) => typeof m !== 'string'))
      bad(`groups.${name}`, 'expected a list of host names');
    groups[name] = { hosts: members as string[], ...(vars ? { vars: vars as Record<string, unknown> } : {}) };
  }
  for (const [name, g] of Object.entries(groups)) {
    for (const m of g.hosts) if (!hosts[m] && !groups[m]) bad(`groups.${name}`, `'${m}' is neither a host nor a group`);
  }
  return { file, hosts, groups };
}

export function loadInventory(file: string): Inventory {
  if (!existsSync(file)) throw new UsageError(`--inventory: '${file}' not found`);
  return parseInventory(readFileSync(file, 'utf8'), file);
}

const merge = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  deepmerge(a, b, { arrayMerge: (_x, y) => y }) as Record<string, unknown>;

/** Expands TARGETs (inventory host, group, or [user@]host[:port]) into hosts, each once, in order. */
export function resolveTargets(specs: string[], inv?: Inventory): PushTarget[] {
  const out = new Map<string, PushTarget>();
  const groupVars = (host: string): Record<string, unknown> => {
    let v: Record<string, unknown> = {};
    for (const g of Object.values(inv?.groups ?? {})) if (g.hosts.includes(host) && g.vars) v = merge(v, g.vars);
    return v;
  };
  const addHost = (name: string) => {
    if (out.has(name)) return;
    const h = inv!.hosts[name]!;
    // an IPv6 address as a target spells it: `[2001:db8::5]` is the address in the brackets
    const t: SshTarget = { host: (h.address ?? name).replace(/^\[(.*:.*)\]$/, '$1') };
    if (h.port) t.port = h.port;
    if (h.user) t.user = h.user;
    out.set(name, {
      label: name,
      target: t,
      ...(h.identity ? { identity: h.identity.replace(/^~(?=\/|$)/, homedir()) } : {}),
      vars: merge(groupVars(name), h.vars ?? {}),
    });
  };
  const expand = (name: string, seen: Set<string>): void => {
    if (inv?.hosts[name]) {
      addHost(name);
      return;
    }
    const g = inv?.groups[name];
    if (g) {
      if (seen.has(name)) throw new UsageError(`${inv!.file}: groups.${name}: includes itself`);
      seen.add(name);
      for (const m of g.hosts) expand(m, seen);
      return;
    }
    if (out.has(name)) return;
    out.set(name, {
      label: name,
      target: parseTargetSpec(name),
      vars: {},
      ...(inv ? { notInInventory: inv.file } : {}),
    });
  };
  for (const s of specs) expand(s, new Set());
  return [...out.values()];
}
