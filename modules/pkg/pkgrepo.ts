// pkgrepo.managed / pkgrepo.absent: an apt source file (one-line .list or deb822 .sources) that
// brine owns whole, its signing key under /etc/apt/keyrings (referenced with signed-by), and an
// index refresh of that one source only when the source or key changed or its lists are missing.
// The key comes from key_text/key_file, or from a keyserver (keyid + keyserver, fetched with gpg on
// the target; a keyring that already holds the keyid is kept as it is).
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { StateError } from '../../engine/errors.js';
import { fetchHttp, isHttpSource, shownUrl } from '../../engine/http-source.js';
import type { Host } from '../../engine/host/host.js';
import type { StateCtx, StateFunction } from '../../engine/contract.js';
import type { RepoChange, RepoFileRemoval } from './changes.js';
import { aptGet, classifyAptFailure } from './apt.js';
import { fetchKey, KEYID_PATTERN } from './keyserver.js';
import { hasKeyid, keyringFingerprints, normKeyid } from './openpgp.js';
import {
  listPrefix,
  optionValue,
  parseRepoLine,
  type RepoLine,
  renderList,
  renderSources,
  repoSlug,
} from './repo-line.js';

export interface RepoArgs {
  name: string;
  file?: string;
  key_text?: string;
  key_file?: string;
  key_url?: string;
  humanname?: string;
  keyid?: string;
  keyserver?: string;
  comments?: string | Array<string | number>;
  disabled?: boolean | 0 | 1;
  enabled?: boolean | 0 | 1;
  refresh?: boolean;
  /** Salt's older name of `refresh`. */
  refresh_db?: boolean;
  lock_timeout?: number;
  [k: string]: unknown;
}

export interface RepoFacts {
  file: string;
  /** Current contents of the source file, null when missing. */
  content: string | null;
  want: string;
  key?: { path: string; have: string | null; want: string; data: string };
  /** keyid + keyserver: the keyring the line names and the fingerprints in it now (null: no file). */
  fetch?: { path: string; keyid: string; keyserver: string; fprs: string[] | null };
  /** Some index file of this source exists under /var/lib/apt/lists. */
  listsPresent: boolean;
}

const LINE = '^\\s*(deb|deb-src)\\s+(\\[[^\\]]*\\]\\s+)?[a-z][a-z0-9+.-]*:\\S*\\s+\\S+(\\s+\\S+)*\\s*$';
const FILE = '^/[^\\0]*\\.(list|sources)$';
export const KEYRINGS = '/etc/apt/keyrings';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function parsed(args: RepoArgs): RepoLine {
  const r = parseRepoLine(args.name);
  if (typeof r === 'string') throw new StateError(args.name, `not an apt source line: ${r}`);
  return r;
}

export function sourceFile(args: { name: string; file?: string }, r: RepoLine): string {
  return args.file ?? `/etc/apt/sources.list.d/${repoSlug(r)}.list`;
}

function isArmored(b: Buffer): boolean {
  return b.subarray(0, 200).toString('latin1').includes('-----BEGIN PGP PUBLIC KEY BLOCK-----');
}

/** Where a managed key lives: the line's signed-by, else /etc/apt/keyrings/NAME.asc|.gpg (NAME: the source file's). */
export function keyPath(r: RepoLine, file: string, armored: boolean): string {
  const name = basename(file).replace(/\.(list|sources)$/, '');
  return optionValue(r, 'signed-by') ?? `${KEYRINGS}/${name}.${armored ? 'asc' : 'gpg'}`;
}

async function listsPresent(host: Host, r: RepoLine): Promise<boolean> {
  const res = await host.exec(['ls', '/var/lib/apt/lists']);
  const prefix = listPrefix(r.uri);
  return res.stdout.split('\n').some((f) => f.startsWith(prefix) && !f.endsWith('.gpg'));
}

async function wantedKey(args: RepoArgs, ctx: StateCtx<RepoArgs>): Promise<Buffer | null> {
  const given = (['key_text', 'key_file', 'key_url', 'keyid'] as const).filter((k) => args[k] !== undefined);
  if (given.length > 1) {
    throw new StateError(
      ctx.name,
      `give one of key_text, key_file, key_url or keyid (with keyserver), not ${given.join(' and ')}`,
    );
  }
  if (args.key_text !== undefined)
    return Buffer.from(args.key_text.endsWith('\n') ? args.key_text : `${args.key_text}\n`);
  if (args.key_file !== undefined) return ctx.readSource(args.key_file);
  if (args.key_url !== undefined) {
    // Salt downloads key_url on the minion; brine fetches http(s) sources on the controller, as
    // for file.managed, and reads salt:// and absolute paths as key_file does
    if (!isHttpSource(args.key_url)) return ctx.readSource(args.key_url);
    const data = await fetchHttp(args.key_url, ctx.name);
    if (!data) throw new StateError(ctx.name, `key_url ${shownUrl(args.key_url)} not found`);
    return data;
  }
  return null;
}

/** Salt's `disabled`, or `enabled: False` (one of the two). */
export function isDisabled(args: RepoArgs): boolean {
  if (args.disabled !== undefined && args.enabled !== undefined)
    throw new StateError(args.name, 'give enabled or disabled, not both');
  return args.disabled !== undefined ? !!args.disabled : args.enabled !== undefined && !args.enabled;
}

/** Salt's apt comments: every entry a `#` comment, all on the source line after the entry. */
export function repoComment(comments: string | Array<string | number> | undefined): string | undefined {
  if (comments === undefined) return undefined;
  const list = (Array.isArray(comments) ? comments : [comments]).map((c) => String(c).trim()).filter(Boolean);
  return list.length ? list.map((c) => (c.startsWith('#') ? c : `#${c}`)).join(' ') : undefined;
}

async function gatherManaged(host: Host, args: RepoArgs, ctx: StateCtx<RepoArgs>): Promise<RepoFacts> {
  const r = parsed(args);
  const file = sourceFile(args, r);
  const keyData = await wantedKey(args, ctx);
  let key: RepoFacts['key'];
  let fetch: RepoFacts['fetch'];
  if (keyData) {
    const path = keyPath(r, file, isArmored(keyData));
    key = { path, have: await host.hash(path), want: sha256(keyData), data: keyData.toString('base64') };
  } else if (args.keyid !== undefined && args.keyserver !== undefined) {
    const path = keyPath(r, file, false);
    const have = await host.readFile(path);
    fetch = { path, keyid: normKeyid(args.keyid), keyserver: args.keyserver, fprs: have && keyringFingerprints(have) };
  }
  const render = file.endsWith('.sources') ? renderSources : renderList;
  const want = render(r, key?.path ?? fetch?.path, args.humanname, {
    comment: repoComment(args.comments),
    disabled: isDisabled(args),
  });
  const current = await host.readFile(file);
  return {
    file,
    content: current ? current.toString('utf8') : null,
    want,
    key,
    ...(fetch ? { fetch } : {}),
    listsPresent: await listsPresent(host, r),
  };
}

export function planManaged(args: RepoArgs, f: RepoFacts): RepoChange[] {
  const changes: RepoChange[] = [];
  if (f.key && f.key.have !== f.key.want) {
    changes.push({
      op: f.key.have ? 'update' : 'create',
      kind: 'key',
      target: f.key.path,
      ...(f.key.have ? { before: `sha256 ${f.key.have}` } : {}),
      after: `sha256 ${f.key.want}`,
    });
  }
  if (f.fetch && !(f.fetch.fprs && hasKeyid(f.fetch.fprs, f.fetch.keyid))) {
    changes.push({
      op: f.fetch.fprs ? 'update' : 'create',
      target: f.fetch.path,
      kind: 'keyserver',
      after: `fetch key 0x${f.fetch.keyid} from ${f.fetch.keyserver}`,
    });
  }
  if (f.content !== f.want) {
    changes.push({
      op: f.content === null ? 'create' : 'update',
      kind: 'source-file',
      target: f.file,
      diff: createTwoFilesPatch(f.file, f.file, f.content ?? '', f.want, undefined, undefined, { context: 3 }),
    });
  }
  // a disabled source has no index to refresh
  if ((args.refresh ?? args.refresh_db) !== false && !isDisabled(args) && (changes.length || !f.listsPresent)) {
    changes.push({
      op: 'run',
      kind: 'refresh',
      target: 'apt-get update',
      after: `refresh the index of ${basename(f.file)}`,
    });
  }
  return changes;
}

export const managed: StateFunction<RepoArgs, RepoFacts, RepoChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: LINE },
      file: { type: 'string', pattern: FILE },
      key_text: { type: 'string', minLength: 1 },
      key_file: { type: 'string', pattern: '^(salt://|/)' },
      key_url: { type: 'string', pattern: '^(salt://|/|https?://)' },
      humanname: { type: 'string' },
      keyid: { type: 'string', pattern: KEYID_PATTERN },
      keyserver: { type: 'string', pattern: '^[^\\s]+$' },
      // Salt reads them with is_true: 1 and 0 too
      disabled: { enum: [true, false, 0, 1] },
      enabled: { enum: [true, false, 0, 1] },
      comments: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: ['string', 'number'] } }] },
      refresh: { type: 'boolean' },
      refresh_db: { type: 'boolean' },
      lock_timeout: { type: 'integer', minimum: 0 },
    },
    dependencies: { keyid: ['keyserver'], keyserver: ['keyid'] },
    additionalProperties: false,
  },
  inert: {
    clean_file: 'brine writes the source file whole anyway (what clean_file: True asks)',
    aptkey: "brine never uses apt-key: the key goes to a keyring named by signed-by (Salt's aptkey: False)",
  },
  ignoresKwargs:
    "Salt's pkgrepo.managed hands **kwargs to apt's mod_repo, which ignores the ones it does not know " +
    "(yum's gpgcheck, baseurl...)",
  lock: 'dpkg',
  gather: gatherManaged,
  plan: planManaged,
  async apply(host, changes, ctx) {
    const f = ctx.facts;
    const has = (k: RepoChange['kind']) => changes.some((c) => c.kind === k);
    if (f.key && has('key')) {
      await host.mkdir(f.key.path.replace(/\/[^/]+$/, '') || '/', { recursive: true, mode: 0o755 });
      await host.writeFileAtomic(f.key.path, Buffer.from(f.key.data, 'base64'), {
        mode: 0o644,
        owner: 'root',
        group: 'root',
      });
    }
    if (f.fetch && has('keyserver')) {
      const data = await fetchKey(host, ctx.name, f.fetch);
      await host.mkdir(f.fetch.path.replace(/\/[^/]+$/, '') || '/', { recursive: true, mode: 0o755 });
      await host.writeFileAtomic(f.fetch.path, data, { mode: 0o644, owner: 'root', group: 'root' });
    }
    if (has('source-file')) {
      await host.mkdir(f.file.replace(/\/[^/]+$/, '') || '/', { recursive: true, mode: 0o755 });
      await host.writeFileAtomic(f.file, f.want, { mode: 0o644, owner: 'root', group: 'root' });
    }
    if (has('refresh')) {
      // refresh only this source: fast, and a broken unrelated source does not fail this state
      const only = ['-o', `Dir::Etc::sourcelist=${f.file}`, '-o', 'Dir::Etc::sourceparts=-'];
      const r = await aptGet(host, ctx.name, ['update', ...only, '-o', 'APT::Get::List-Cleanup=0'], {
        lockTimeout: ctx.args.lock_timeout,
      });
      // with older index files present, apt only warns and keeps using them: still a failure here
      const text = `${r.stderr}\n${r.stdout}`;
      const warn = /^W: (GPG error: .+|.*NO_PUBKEY.+|.*is not signed.*)$/m.exec(text);
      if (warn) throw new StateError(ctx.name, classifyAptFailure(text) ?? `apt rejected the source: ${warn[1]}`);
    }
  },
};

export interface RepoAbsentFacts {
  file: string;
  exists: boolean;
  keys: string[];
}

const removal = (path: string): RepoFileRemoval => ({ op: 'delete', kind: 'removed', target: path, path });

export const absent: StateFunction<RepoArgs, RepoAbsentFacts, RepoFileRemoval> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: LINE },
      file: { type: 'string', pattern: FILE },
      lock_timeout: { type: 'integer', minimum: 0 },
    },
    additionalProperties: false,
  },
  inert: {
    keyid: 'pkgrepo.absent removes the keyring brine stored for the source, never a key by its id',
    keyserver: 'pkgrepo.absent fetches nothing',
  },
  lock: 'dpkg',
  async gather(host, args) {
    const r = parsed(args);
    const file = sourceFile(args, r);
    const candidates = optionValue(r, 'signed-by') ? [] : [keyPath(r, file, true), keyPath(r, file, false)];
    const keys: string[] = [];
    for (const k of candidates) if (await host.lstat(k)) keys.push(k);
    return { file, exists: (await host.lstat(file)) !== null, keys };
  },
  plan: (_args, f) => [...(f.exists ? [removal(f.file)] : []), ...f.keys.map(removal)],
  async apply(host, changes) {
    for (const c of changes) await host.remove(c.path);
  },
};
