// ssh_auth.present / ssh_auth.absent: one public key in a user's authorized_keys. Keys are matched
// by their base64 blob; a present key with other options or comment is rewritten in place.
import { createTwoFilesPatch } from 'diff';
import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { StateCtx, StateFunction } from '../../engine/contract.js';
import type { KeyFileChange } from './changes.js';
import { findGroup, NAME_PATTERN, readAccounts } from './accounts.js';

export interface SshAuthArgs {
  name: string;
  user: string;
  enc?: string;
  comment?: string;
  options?: string[];
  config?: string;
  /** A file of public keys (salt://, or a path on the target): every key in it, `name` ignored. */
  source?: string;
  [k: string]: unknown;
}

export interface SshAuthFacts {
  user: string;
  group: string;
  path: string;
  dir: string;
  dirExists: boolean;
  /** The file's text; null when missing. */
  content: string | null;
  /** The keys of `source`, when given. */
  sourceKeys?: KeyLine[];
}

export interface KeyLine {
  options: string;
  enc: string;
  blob: string;
  comment: string;
}

const KEY_TYPE = new RegExp(
  `^(${[
    'ssh-(rsa|dss|ed25519)',
    'ecdsa-sha2-nistp(256|384|521)',
    'sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com',
    'ssh-(rsa|ed25519)-cert-v01@openssh\\.com',
  ].join('|')})$`,
);

/** Splits an authorized_keys line: [options] type blob [comment]. Options may quote spaces. */
export function parseKeyLine(line: string): KeyLine | null {
  const t = line.trim();
  if (!t || t.startsWith('#')) return null;
  let options = '';
  let rest = t;
  const first = /^(\S+)\s/.exec(t);
  if (first && !KEY_TYPE.test(first[1]!)) {
    // options: up to the first unquoted whitespace
    let i = 0;
    let quoted = false;
    for (; i < t.length; i++) {
      const c = t[i]!;
      if (c === '"' && t[i - 1] !== '\\') quoted = !quoted;
      else if (/\s/.test(c) && !quoted) break;
    }
    options = t.slice(0, i);
    rest = t.slice(i).trim();
  }
  const m = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(rest);
  if (!m || !KEY_TYPE.test(m[1]!)) return null;
  return { options, enc: m[1]!, blob: m[2]!, comment: (m[3] ?? '').trim() };
}

/** The key the state describes: `name` is a whole key line or the bare base64 blob. */
export function wantedKey(args: SshAuthArgs): KeyLine {
  const parsed = parseKeyLine(args.name);
  const bare = /^[A-Za-z0-9+/]+={0,3}$/.test(args.name.trim());
  if (!parsed && !bare)
    throw new StateError(
      args.name.slice(0, 40),
      'not a public key: give "TYPE BASE64 [COMMENT]" or the bare base64 key with enc',
    );
  const k = parsed ?? { options: '', enc: args.enc ?? 'ssh-rsa', blob: args.name.trim(), comment: '' };
  return {
    options: args.options ? args.options.join(',') : k.options,
    enc: parsed ? k.enc : (args.enc ?? 'ssh-rsa'),
    blob: k.blob,
    comment: args.comment ?? k.comment,
  };
}

export function keyLineText(k: KeyLine): string {
  return [k.options, k.enc, k.blob, k.comment].filter(Boolean).join(' ');
}

/** The file's text with the key present (or absent). Unchanged text means nothing to do. */
export function editKeys(content: string | null, key: KeyLine, present: boolean): string {
  const lines = content === null || content === '' ? [] : content.replace(/\n$/, '').split('\n');
  const want = keyLineText(key);
  let found = false;
  const out: string[] = [];
  for (const line of lines) {
    const k = parseKeyLine(line);
    if (k && k.blob === key.blob) {
      if (present && !found) out.push(line.trim() === want ? line : want);
      found = true;
      continue;
    }
    out.push(line);
  }
  if (present && !found) out.push(want);
  return out.length ? `${out.join('\n')}\n` : '';
}

function configPath(config: string, home: string, user: string): string {
  const p = config.replace(/%h/g, home).replace(/%u/g, user).replace(/%%/g, '%');
  return p.startsWith('/') ? p : `${home.replace(/\/$/, '')}/${p}`;
}

/** The keys a state manages: those of `source` (with options/comment when given), else its own. */
function keysOf(args: SshAuthArgs, f: SshAuthFacts): KeyLine[] {
  if (!f.sourceKeys) return [wantedKey(args)];
  return f.sourceKeys.map((k) => ({
    ...k,
    ...(args.options ? { options: args.options.join(',') } : {}),
    ...(args.comment !== undefined ? { comment: args.comment } : {}),
  }));
}

function editAll(content: string | null, keys: KeyLine[], present: boolean): string {
  return keys.reduce<string>((text, k) => editKeys(text, k, present), content ?? '');
}

async function readSourceKeys(
  host: Host,
  args: SshAuthArgs,
  ctx?: StateCtx<SshAuthArgs>,
): Promise<KeyLine[] | undefined> {
  if (!args.source) return undefined;
  let data: Buffer | null;
  if (args.source.startsWith('salt://')) data = ctx ? await ctx.readSource(args.source) : null;
  else data = await host.readFile(args.source.replace(/^file:\/\//, ''));
  if (!data) throw new StateError(args.user, `source ${args.source} not found`);
  const keys = data
    .toString('utf8')
    .split('\n')
    .flatMap((l) => (l.trim() && !l.trim().startsWith('#') ? [parseKeyLine(l)] : []));
  if (keys.some((k) => !k)) throw new StateError(args.user, `source ${args.source}: a line is not a public key`);
  return keys as KeyLine[];
}

async function gather(host: Host, args: SshAuthArgs, ctx?: StateCtx<SshAuthArgs>): Promise<SshAuthFacts> {
  const sourceKeys = await readSourceKeys(host, args, ctx);
  const a = await readAccounts(host, [args.user]);
  const u = a.users.get(args.user);
  if (!u) throw new MissingFactError('user', args.user, args.user, `user '${args.user}' does not exist`);
  const path = configPath(args.config ?? '.ssh/authorized_keys', u.home, u.name);
  const dir = path.replace(/\/[^/]+$/, '') || '/';
  const [content, dirStat] = await Promise.all([host.readFile(path), host.stat(dir)]);
  return {
    user: u.name,
    group: findGroup(a.groups, u.gid)?.name ?? String(u.gid),
    path,
    dir,
    dirExists: dirStat !== null,
    content: content ? content.toString('utf8') : null,
    ...(sourceKeys ? { sourceKeys } : {}),
  };
}

function planEdit(args: SshAuthArgs, f: SshAuthFacts, present: boolean): KeyFileChange[] {
  const next = editAll(f.content, keysOf(args, f), present);
  if (next === (f.content ?? '')) return [];
  const changes: KeyFileChange[] = [];
  if (!f.dirExists) changes.push({ op: 'create', kind: 'directory', target: f.dir, after: 'directory 0700' });
  changes.push({
    op: f.content === null ? 'create' : 'update',
    kind: 'file',
    target: f.path,
    diff: createTwoFilesPatch(f.path, f.path, f.content ?? '', next, undefined, undefined, { context: 3 }),
  });
  return changes;
}

async function applyEdit(host: Host, f: SshAuthFacts, args: SshAuthArgs, present: boolean): Promise<void> {
  if (!f.dirExists) {
    await host.mkdir(f.dir, { recursive: true, mode: 0o700 });
    const r = await host.exec(['chown', `${f.user}:${f.group}`, f.dir]);
    if (r.exitCode !== 0) throw new StateError(f.dir, `chown failed: ${r.stderr.trim()}`);
  }
  // re-read: another key state may have written the file since the facts were read
  const cur = await host.readFile(f.path);
  const st = cur ? await host.stat(f.path) : null;
  const next = editAll(cur ? cur.toString('utf8') : null, keysOf(args, f), present);
  await host.writeFileAtomic(
    f.path,
    next,
    st ? { mode: st.mode, owner: st.user, group: st.group } : { mode: 0o600, owner: f.user, group: f.group },
  );
}

const baseProps = {
  name: { type: 'string', minLength: 1 },
  user: { type: 'string', pattern: NAME_PATTERN },
  enc: { type: 'string', pattern: KEY_TYPE.source },
  comment: { type: 'string', pattern: '^[^\\n]*$' },
  options: { type: 'array', items: { type: 'string', minLength: 1 } },
  config: { type: 'string', minLength: 1 },
  source: { type: 'string', pattern: '^(salt://|file:///|/)' },
};

export const present: StateFunction<SshAuthArgs, SshAuthFacts, KeyFileChange> = {
  schema: { type: 'object', required: ['name', 'user'], properties: baseProps, additionalProperties: false },
  lock: 'ssh_auth',
  gather,
  plan: (args, f) => planEdit(args, f, true),
  apply: (host, _changes, ctx) => applyEdit(host, ctx.facts, ctx.args, true),
};

export const absent: StateFunction<SshAuthArgs, SshAuthFacts, KeyFileChange> = {
  schema: { type: 'object', required: ['name', 'user'], properties: baseProps, additionalProperties: false },
  lock: 'ssh_auth',
  async gather(host, args, ctx) {
    // no such user: no key to remove
    if (!(await readAccounts(host, [args.user])).users.has(args.user))
      return { user: args.user, group: '', path: '', dir: '', dirExists: false, content: null };
    return gather(host, args, ctx);
  },
  plan: (args, f) => (f.content === null ? [] : planEdit(args, f, false)),
  apply: (host, _changes, ctx) => applyEdit(host, ctx.facts, ctx.args, false),
};
