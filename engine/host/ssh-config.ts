// Resolves where and how to connect, the way OpenSSH would: the target as given on the command
// line, then ~/.ssh/config (HostName, Port, User, IdentityFile, IdentitiesOnly), then defaults.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { UsageError } from '../errors.js';

export interface SshTarget {
  /** Host name or alias (looked up in ~/.ssh/config) or address. */
  host: string;
  port?: number;
  user?: string;
}

export interface ResolvedTarget {
  /** What the user wrote (alias), for labels. */
  alias: string;
  hostname: string;
  port: number;
  user: string;
  /** Identity files from the config (expanded), in order. */
  identityFiles: string[];
  identitiesOnly: boolean;
}

/** A bare IPv6 address (two colons at least, as ssh takes `root@fe80::1`): all of it is the host. */
const BARE_IPV6 = /^(?:([^@\s]+)@)?([0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:%[\w.-]+)?)()$/;

/** Parses `[user@]host[:port]` (IPv6 as `[addr]:port`, or bare without a port: `root@::1`). */
export function parseTargetSpec(spec: string): SshTarget {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(spec) ?? BARE_IPV6.exec(spec);
  if (!m) throw new UsageError(`bad target '${spec}': expected [user@]host[:port]`);
  const [, user, rawHost, port] = m;
  const host = (rawHost as string).replace(/^\[(.*)\]$/, '$1');
  const t: SshTarget = { host };
  if (user) t.user = user;
  if (port) {
    const p = Number(port);
    if (p < 1 || p > 65535) throw new UsageError(`bad target '${spec}': port ${port} out of range`);
    t.port = p;
  }
  return t;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function expand(path: string, vars: { h: string; r: string; p: number }): string {
  const home = homedir();
  return path.replace(/^~(?=\/|$)/, home).replace(/%(.)/g, (all, c: string) => {
    switch (c) {
      case 'd':
        return home;
      case 'u':
        return userInfo().username;
      case 'h':
        return vars.h;
      case 'r':
        return vars.r;
      case 'p':
        return String(vars.p);
      case '%':
        return '%';
      default:
        return all;
    }
  });
}

/** `user@host[:port]` as messages name a connection (an IPv6 address in brackets when a port follows). */
export function connectionName(t: Pick<ResolvedTarget, 'user' | 'alias' | 'port'>): string {
  if (t.port === 22) return `${t.user}@${t.alias}`;
  return `${t.user}@${t.alias.includes(':') ? `[${t.alias}]` : t.alias}:${t.port}`;
}

/** Merges the target with ~/.ssh/config (or configPath; null: no config file). */
export function resolveTarget(t: SshTarget, configPath?: string | null): ResolvedTarget {
  const path = configPath === undefined ? join(homedir(), '.ssh', 'config') : configPath;
  let c: Record<string, string | string[]> = {};
  if (path && existsSync(path)) {
    try {
      c = SSHConfig.parse(readFileSync(path, 'utf8')).compute(t.host);
    } catch (err) {
      throw new UsageError(`${path}: cannot parse: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const hostname = first(c.HostName ?? c.Hostname)?.replace(/%h/g, t.host) ?? t.host;
  const cfgPort = first(c.Port);
  const port = t.port ?? (cfgPort ? Number(cfgPort) : 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${path}: Host ${t.host}: bad Port '${cfgPort}'`);
  }
  const user = t.user ?? first(c.User) ?? userInfo().username;
  const idf = c.IdentityFile;
  const files = (Array.isArray(idf) ? idf : idf ? [idf] : []).map((f) => expand(f, { h: hostname, r: user, p: port }));
  return {
    alias: t.host,
    hostname,
    port,
    user,
    identityFiles: files,
    identitiesOnly: first(c.IdentitiesOnly)?.toLowerCase() === 'yes',
  };
}
