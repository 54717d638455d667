// OpenSSH known_hosts: lookup of a host's key (plain and hashed `|1|salt|hash` names, `[host]:port`
// for non-22 ports, wildcards and negation), SHA256 fingerprints, and appending a new key
// (accept-new). The file format is OpenSSH's sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT".
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fnmatch } from '../fnmatch.js';

export interface KnownKey {
  type: string;
  /** The key blob, base64 as in the file. */
  key: string;
  file: string;
  line: number;
  revoked: boolean;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownKey }
  | { status: 'unknown' }
  | { status: 'changed'; entry: KnownKey }
  | { status: 'revoked'; entry: KnownKey };

/** `host` for port 22, else `[host]:port`, as OpenSSH writes it. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's SHA256 fingerprint of a key blob: `SHA256:` + unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first string). */
export function keyTypeOf(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return h === hash;
  }
  return fnmatch(name, pattern, { nocase: true, brackets: false });
}

/** True when a comma-separated host pattern list matches name (a negated match wins). */
function hostListMatches(list: string, name: string): boolean {
  let hit = false;
  for (const p of list.split(',')) {
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) hit = true;
  }
  return hit;
}

/** Every key in the file listed for name (`host` or `[host]:port`). */
export function findKnownKeys(file: string, name: string): KnownKey[] {
  if (!existsSync(file)) return [];
  const out: KnownKey[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const f = line.split(/\s+/);
      let revoked = false;
      if (f[0]?.startsWith('@')) {
        if (f[0] === '@revoked') revoked = true;
        else return; // @cert-authority: certificates are not supported
        f.shift();
      }
      const [hosts, type, key] = f;
      if (!hosts || !type || !key) return;
      if (hostListMatches(hosts, name)) out.push({ type, key, file, line: i + 1, revoked });
    });
  return out;
}

/** Compares the key a server presented with the known_hosts entries for name. */
export function checkHostKey(file: string, name: string, blob: Buffer): HostKeyVerdict {
  const type = keyTypeOf(blob);
  const b64 = blob.toString('base64');
  const entries = findKnownKeys(file, name);
  const revoked = entries.find((e) => e.revoked && e.key === b64);
  if (revoked) return { status: 'revoked', entry: revoked };
  const same = entries.find((e) => !e.revoked && e.key === b64);
  if (same) return { status: 'known', entry: same };
  const changed = entries.find((e) => !e.revoked && e.type === type);
  if (changed) return { status: 'changed', entry: changed };
  return { status: 'unknown' };
}

/** The key types known for name, to offer them first (as OpenSSH does). */
export function knownKeyTypes(file: string, name: string): string[] {
  return [
    ...new Set(
      findKnownKeys(file, name)
        .filter((e) => !e.revoked)
        .map((e) => e.type),
    ),
  ];
}

/** Appends `name type key` to the file (creating it 0600 and its directory 0700). */
export function appendKnownHost(file: string, name: string, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${name} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
