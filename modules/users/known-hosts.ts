// ssh_known_hosts.present / absent: a host's key in a user's known_hosts (or `config`), hashed
// by default as Salt does (hash_known_hosts: True; `|1|salt|HMAC-SHA1(host)`). The key is given
// (`key` + `enc`), or fetched with ssh-keyscan on the target and checked against `fingerprint`.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { KeyFileChange } from './changes.js';
import { findGroup, NAME_PATTERN, readAccounts } from './accounts.js';

export interface KnownHostArgs {
  name: string;
  user?: string;
  key?: string;
  enc?: string;
  fingerprint?: string;
  fingerprint_hash_type?: string;
  port?: number;
  config?: string;
  hash_known_hosts?: boolean;
  timeout?: number;
}

export interface KnownHostFacts {
  path: string;
  owner?: { user: string; group: string };
  content: string | null;
  /** The key to have (given, or scanned and checked). */
  key: { enc: string; blob: string } | null;
}

/** The name known_hosts uses: `host`, or `[host]:port` off port 22. */
export const hostPattern = (a: KnownHostArgs): string => (a.port && a.port !== 22 ? `[${a.name}]:${a.port}` : a.name);

/** Does a known_hosts host field (plain list or |1|salt|hash) name `host`? */
export function hostMatches(field: string, host: string): boolean {
  const h = /^\|1\|([^|]+)\|([^|]+)$/.exec(field);
  if (h) return createHmac('sha1', Buffer.from(h[1]!, 'base64')).update(host).digest('base64') === h[2];
  return field.split(',').includes(host);
}

export function hashHost(host: string, salt = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(host).digest('base64')}`;
}

export function sha256Fingerprint(blob: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** known_hosts with the host's key of the same type set (present) or every key of it removed. */
export function editKnownHosts(
  content: string | null,
  a: KnownHostArgs,
  key: { enc: string; blob: string } | null,
  present: boolean,
): string {
  const host = hostPattern(a);
  const lines = (content ?? '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let have = false;
  const out = lines.filter((l) => {
    const [field, enc, blob] = l.trim().split(/\s+/);
    if (!field || field.startsWith('#') || !hostMatches(field, host)) return true;
    if (!present) return false;
    if (enc !== key!.enc) return true;
    if (blob === key!.blob && !have) {
      have = true;
      return true;
    }
    return false; // another key of this type for the host: replaced
  });
  if (present && !have) out.push(`${a.hash_known_hosts === false ? host : hashHost(host)} ${key!.enc} ${key!.blob}`);
  return out.length ? `${out.join('\n')}\n` : '';
}

async function gather(host: Host, a: KnownHostArgs, present: boolean): Promise<KnownHostFacts> {
  let path = a.config;
  let owner: KnownHostFacts['owner'];
  if (a.user) {
    const acc = await readAccounts(host, [a.user]);
    const u = acc.users.get(a.user);
    // a user.present of this run may create it: a dry run then says "would change after" it
    if (!u) throw new MissingFactError('user', a.user, a.name, `user '${a.user}' does not exist`);
    owner = { user: u.name, group: findGroup(acc.groups, u.gid)?.name ?? String(u.gid) };
    path = !path
      ? `${u.home.replace(/\/$/, '')}/.ssh/known_hosts`
      : path.startsWith('/')
        ? path
        : `${u.home.replace(/\/$/, '')}/${path}`;
  }
  if (!path) throw new StateError(a.name, 'give user or an absolute config path');
  const content = await host.readFile(path);
  let key: KnownHostFacts['key'] = null;
  if (present) {
    if (a.key) key = { enc: a.enc ?? 'ssh-rsa', blob: a.key };
    else {
      const argv = [
        'ssh-keyscan',
        '-T',
        String(a.timeout ?? 5),
        ...(a.port ? ['-p', String(a.port)] : []),
        ...(a.enc ? ['-t', a.enc.replace(/^ssh-/, '')] : []),
        a.name,
      ];
      const r = await host.exec(argv, { readOnly: true });
      const keys = r.stdout.split('\n').flatMap((l) => {
        const [, enc, blob] = l.trim().split(/\s+/);
        return l.startsWith('#') || !blob ? [] : [{ enc: enc!, blob }];
      });
      key =
        keys.find(
          (k) =>
            !a.fingerprint ||
            sha256Fingerprint(k.blob) === a.fingerprint ||
            sha256Fingerprint(k.blob) === `SHA256:${a.fingerprint}`,
        ) ?? null;
      if (!key)
        throw new StateError(
          a.name,
          keys.length
            ? `no key of ${a.name} has the ` +
                `fingerprint ${a.fingerprint} (scanned: ${keys.map((k) => sha256Fingerprint(k.blob)).join(', ')})`
            : `ssh-keyscan found no key for ${a.name}`,
        );
    }
  }
  return { path, ...(owner ? { owner } : {}), content: content ? content.toString('utf8') : null, key };
}

function plan(a: KnownHostArgs, f: KnownHostFacts, present: boolean): KeyFileChange[] {
  const next = editKnownHosts(f.content, a, f.key, present);
  if (next === (f.content ?? '')) return [];
  return [
    {
      op: present ? (f.content?.length ? 'update' : 'create') : 'delete',
      kind: 'file',
      target: `${f.path}: ${hostPattern(a)}`,
      ...(f.key ? { after: `${f.key.enc} ${sha256Fingerprint(f.key.blob)}` } : {}),
    },
  ];
}

const schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    user: { type: 'string', pattern: NAME_PATTERN },
    key: { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,3}$' },
    enc: { type: 'string', minLength: 1 },
    fingerprint: { type: 'string', minLength: 1 },
    fingerprint_hash_type: { enum: ['sha256'] },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    config: { type: 'string', minLength: 1 },
    hash_known_hosts: { type: 'boolean' },
    timeout: { type: 'number', exclusiveMinimum: 0 },
  },
  additionalProperties: false,
};

async function write(host: Host, f: KnownHostFacts, text: string): Promise<void> {
  const dir = f.path.replace(/\/[^/]+$/, '') || '/';
  if (!(await host.stat(dir))) {
    await host.mkdir(dir, { recursive: true, mode: 0o700 });
    if (f.owner) await host.exec(['chown', `${f.owner.user}:${f.owner.group}`, dir]);
  }
  const st = await host.stat(f.path);
  await host.writeFileAtomic(
    f.path,
    text,
    st
      ? { mode: st.mode, owner: st.user, group: st.group }
      : { mode: 0o644, ...(f.owner ? { owner: f.owner.user, group: f.owner.group } : {}) },
  );
}

export const present: StateFunction<KnownHostArgs, KnownHostFacts, KeyFileChange> = {
  schema,
  lock: 'ssh_known_hosts',
  gather: (host, a) => gather(host, a, true),
  plan: (a, f) => plan(a, f, true),
  apply: (host, _c, ctx) => write(host, ctx.facts, editKnownHosts(ctx.facts.content, ctx.args, ctx.facts.key, true)),
};

export const absent: StateFunction<KnownHostArgs, KnownHostFacts, KeyFileChange> = {
  schema,
  lock: 'ssh_known_hosts',
  gather: (host, a) => gather(host, a, false),
  plan: (a, f) => plan(a, f, false),
  apply: (host, _c, ctx) => write(host, ctx.facts, editKnownHosts(ctx.facts.content, ctx.args, null, false)),
};
