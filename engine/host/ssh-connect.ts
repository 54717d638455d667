// Opens one authenticated ssh2 connection: identities (-i, ~/.ssh/config, the agent, default keys),
// strict host key checking against known_hosts (unknown or changed: refused with the SHA256
// fingerprint; accept-new appends an unknown key, never a changed one), connect timeout.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type AnyAuthMethod, type ConnectConfig } from 'ssh2';

const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;
import { TransportError } from '../errors.js';
import { appendKnownHost, checkHostKey, fingerprint, keyTypeOf, knownHostName, knownKeyTypes } from './known-hosts.js';
import type { ResolvedTarget } from './ssh-config.js';

export interface ConnectOptions {
  /** Explicit identity files (`-i`), tried first. */
  identityFiles?: string[];
  /** known_hosts file (default ~/.ssh/known_hosts). */
  knownHostsPath?: string;
  /** Append an unknown host key instead of refusing it (OpenSSH's StrictHostKeyChecking=accept-new). */
  acceptNew?: boolean;
  /** ssh-agent socket; default $SSH_AUTH_SOCK; null: do not use an agent. */
  agent?: string | null;
  /** Handshake + authentication timeout (default 15 s). */
  connectTimeoutMs?: number;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** Host key algorithm names for a known_hosts key type. */
function algorithmsFor(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type];
}

const ALL_HOST_KEY_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

function loadKeys(label: string, files: string[], must: boolean): Buffer[] {
  const keys: Buffer[] = [];
  for (const f of files) {
    if (!existsSync(f)) {
      if (must) throw new TransportError(label, `identity file ${f} not found`);
      continue;
    }
    const data = readFileSync(f);
    const parsed = utils.parseKey(data);
    if (parsed instanceof Error) {
      if (must)
        throw new TransportError(label, `identity file ${f}: ${parsed.message} (encrypted keys: use the agent)`);
      continue;
    }
    keys.push(data);
  }
  return keys;
}

/** Connects and authenticates; resolves with the ready client or throws a TransportError. */
export function openConnection(label: string, t: ResolvedTarget, o: ConnectOptions): Promise<Client> {
  const knownHosts = o.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts');
  const khName = knownHostName(t.hostname, t.port);
  const agent = o.agent === undefined ? process.env.SSH_AUTH_SOCK : (o.agent ?? undefined);

  const explicit = loadKeys(label, o.identityFiles ?? [], true);
  const configured = loadKeys(label, t.identityFiles, false);
  const defaults =
    explicit.length || t.identitiesOnly
      ? []
      : loadKeys(
          label,
          DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)),
          false,
        );
  const methods: AnyAuthMethod[] = [
    ...explicit.map((key): AnyAuthMethod => ({ type: 'publickey', username: t.user, key })),
    ...(agent && !t.identitiesOnly && !explicit.length ? [{ type: 'agent' as const, username: t.user, agent }] : []),
    ...configured.map((key): AnyAuthMethod => ({ type: 'publickey', username: t.user, key })),
    ...(agent && !t.identitiesOnly && explicit.length ? [{ type: 'agent' as const, username: t.user, agent }] : []),
    ...defaults.map((key): AnyAuthMethod => ({ type: 'publickey', username: t.user, key })),
  ];
  if (!methods.length) {
    return Promise.reject(
      new TransportError(label, 'no identity to log in with (no -i KEY, IdentityFile, agent or ~/.ssh/id_*)'),
    );
  }

  // offer the key types known_hosts has for this host first, so a known key is negotiated
  const known = knownKeyTypes(knownHosts, khName).flatMap(algorithmsFor);
  const serverHostKey = [...known, ...ALL_HOST_KEY_ALGOS.filter((a) => !known.includes(a))];

  return new Promise((resolve, reject) => {
    const conn = new Client();
    let refusal: string | undefined;
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      conn.end();
      reject(new TransportError(label, reason));
    };
    const cfg: ConnectConfig = {
      host: t.hostname,
      port: t.port,
      username: t.user,
      readyTimeout: o.connectTimeoutMs ?? 15_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      algorithms: { serverHostKey: serverHostKey as never },
      authHandler: methods,
      hostVerifier: (blob: Buffer) => {
        const v = checkHostKey(knownHosts, khName, blob);
        const fp = fingerprint(blob);
        const type = keyTypeOf(blob);
        if (v.status === 'known') return true;
        if (v.status === 'unknown' && o.acceptNew) {
          appendKnownHost(knownHosts, khName, blob);
          return true;
        }
        if (v.status === 'unknown') {
          refusal =
            `host key for ${khName} is not known (${type} ${fp}); not in ${knownHosts} (verify it, then use ` +
            `--accept-new)`;
        } else if (v.status === 'changed') {
          refusal =
            `HOST KEY CHANGED for ${khName}: server ` +
            `offers ${type} ${fp}, ${v.entry.file}:${v.entry.line} has another key; refusing (possible ` +
            `man-in-the-middle)`;
        } else {
          refusal = `host key for ${khName} (${type} ${fp}) is revoked in ${v.entry.file}:${v.entry.line}`;
        }
        return false;
      },
    };
    conn.once('ready', () => {
      if (settled) return;
      settled = true;
      resolve(conn);
    });
    conn.on('error', (err: Error & { level?: string }) => {
      if (refusal) return fail(refusal);
      if (err.level === 'client-authentication')
        return fail(`authentication as ${t.user} failed (tried ${methods.length} key(s)/agent)`);
      if (/Timed out/i.test(err.message))
        return fail(
          `connect to ${t.hostname}:${t.port} timed out after ${(cfg.readyTimeout ?? 0) / 1000} s (--connect-timeout)`,
        );
      fail(err.message);
    });
    // sshd sends PAM's message as a banner, then drops the connection without a reason when the
    // account check refuses a login (pam_nologin: "System is booting up..." for non-root users)
    let keysExchanged = false;
    let banner = '';
    conn.once('handshake', () => {
      keysExchanged = true;
    });
    conn.on('banner', (text: string) => {
      banner = text
        .replace(/[\s\p{Cc}]+/gu, ' ')
        .trim()
        .slice(0, 240);
    });
    conn.on('close', () => {
      if (refusal || !keysExchanged) return fail(refusal ?? 'connection closed during handshake');
      fail(`the server closed the connection while logging in as ${t.user}: ${banner || 'no reason given'}`);
    });
    try {
      conn.connect(cfg);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
  });
}
