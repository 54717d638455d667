// user.present / user.absent with useradd, usermod, userdel; the password hash goes through
// `chpasswd -e` on stdin (never argv, never a change value).
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { AccountChange, UserChange } from './changes.js';
import { type Accounts, findGroup, NAME_PATTERN, type PasswdEntry, readAccounts } from './accounts.js';

export interface UserArgs {
  name: string;
  uid?: number;
  gid?: number | string;
  groups?: string[];
  optional_groups?: string[];
  /** With `groups`: leave the user in groups not listed (default: remove, like Salt). */
  remove_groups?: boolean;
  home?: string;
  createhome?: boolean;
  shell?: string;
  system?: boolean;
  password?: string;
  fullname?: string;
  roomnumber?: string;
  workphone?: string;
  homephone?: string;
  other?: string;
  /** false: the password is set when the user is created, never changed after (Salt's enforce_password). */
  enforce_password?: boolean;
  /** `password` is plain text: hashed on the target (crypt with the current salt to compare). */
  hash_password?: boolean;
  /** false: the uid may be shared (useradd/usermod -o). */
  unique?: boolean;
  allow_uid_change?: boolean;
  allow_gid_change?: boolean;
  [k: string]: unknown;
}

export interface UserFacts {
  user: PasswdEntry | null;
  /** The shadow hash (a secret; compared, never shown). */
  hash: string | null;
  accounts: Pick<Accounts, 'groups'>;
}

const HIDDEN = '(hidden)';

async function gatherOne(host: Host, args: UserArgs): Promise<UserFacts> {
  const a = await readAccounts(host, [args.name], { shadow: args.password !== undefined });
  return plainHashed(host, args, toFacts(a, args));
}

function toFacts(a: Accounts, args: UserArgs): UserFacts {
  return {
    user: a.users.get(args.name) ?? null,
    hash: a.shadow.get(args.name) ?? null,
    accounts: { groups: a.groups },
  };
}

// crypt(3) of the plain password on stdin with the salt in $1 (perl-base is essential on Debian)
const CRYPT = `exec perl -e '$p = <STDIN>; chomp $p; print crypt($p, $ARGV[0])' "$1"`;

/**
 * hash_password: the plain password hashed with the salt of the current hash, on the target, so
 * the plan compares hashes as usual (facts.hash becomes the plain text when they match).
 */
async function plainHashed(host: Host, args: UserArgs, f: UserFacts): Promise<UserFacts> {
  if (!args.hash_password || args.password === undefined || !f.hash || !/^\$/.test(f.hash)) return f;
  const salt = f.hash.slice(0, f.hash.lastIndexOf('$') + 1);
  const r = await host.exec(['sh', '-c', CRYPT, 'sh', salt], { stdin: `${args.password}\n`, readOnly: true });
  return r.exitCode === 0 && r.stdout === f.hash ? { ...f, hash: args.password } : f;
}

const GECOS = ['fullname', 'roomnumber', 'workphone', 'homephone', 'other'] as const;

/** The GECOS field with the given parts set (the others kept): fullname,room,work phone,home phone,other. */
export function gecosOf(current: string, args: UserArgs): string {
  const parts = current === '' ? [] : current.split(',');
  const fields = GECOS.map((k, i) =>
    args[k] !== undefined ? String(args[k]) : i < 4 ? (parts[i] ?? '') : parts.slice(4).join(','),
  );
  const lastGiven = Math.max(...GECOS.map((k, i) => (args[k] !== undefined ? i : -1)));
  return fields.slice(0, Math.max(Math.min(parts.length, 5), lastGiven + 1)).join(',');
}

/** The user's own name in `groups`: Salt makes that group the primary one (useradd creates it). */
function ownGroupIsPrimary(args: UserArgs): boolean {
  return !!args.groups?.includes(args.name) && (args.gid === undefined || args.gid === args.name);
}

/**
 * The supplementary groups the user should be in: `groups` plus the optional groups that exist.
 * A missing group is not a plan error (a group.present in the same run may create it); apply
 * checks again and fails with a clear message.
 */
function wantedGroups(args: UserArgs, f: UserFacts): string[] | null {
  if (args.groups === undefined && args.optional_groups === undefined) return null;
  const out = (args.groups ?? []).filter((g) => !(g === args.name && ownGroupIsPrimary(args)));
  for (const g of args.optional_groups ?? []) if (findGroup(f.accounts.groups, g)) out.push(g);
  return [...new Set(out)].sort();
}

/** The primary gid: a number, the gid of a named group, or the name itself while the group is missing. */
function primaryGid(args: UserArgs, f: UserFacts): number | string | undefined {
  if (args.gid === undefined) return undefined;
  return findGroup(f.accounts.groups, args.gid)?.gid ?? args.gid;
}

/** Fails with one line when a group the user needs does not exist (now, at apply time). */
async function needGroups(host: Host, args: UserArgs): Promise<void> {
  const own = ownGroupIsPrimary(args);
  const names = [
    ...(args.groups ?? []).filter((g) => !(own && g === args.name)),
    ...(args.gid !== undefined && !own ? [args.gid] : []),
  ];
  if (!names.length) return;
  const { groups } = await readAccounts(host, []);
  const missing = names.filter((g) => !findGroup(groups, g) && !(typeof g === 'number'));
  if (missing.length)
    throw new StateError(
      args.name,
      `group ${missing.map((g) => `'${g}'`).join(', ')} does not exist (declare it with group.present and require it)`,
    );
}

export function planUserPresent(args: UserArgs, f: UserFacts, ctx?: { log: { warn(m: string): void } }): UserChange[] {
  const groups = wantedGroups(args, f);
  const gid = primaryGid(args, f);
  const u = f.user;
  if (!u) {
    const after: Record<string, unknown> = {};
    for (const k of [
      'uid',
      'gid',
      'home',
      'shell',
      'fullname',
      'roomnumber',
      'workphone',
      'homephone',
      'other',
      'system',
    ] as const)
      if (args[k] !== undefined) after[k] = args[k];
    if (ownGroupIsPrimary(args)) after.gid = args.name;
    if (groups?.length) after.groups = groups;
    if (args.createhome !== false) after.createhome = true;
    if (args.password !== undefined) after.password = HIDDEN;
    return [{ op: 'create', kind: 'account', target: args.name, after }];
  }
  const changes: UserChange[] = [];
  if (args.uid !== undefined && args.uid !== u.uid) {
    if (!args.allow_uid_change)
      throw new StateError(args.name, `uid is ${u.uid}, not ${args.uid} (set allow_uid_change: True to change it)`);
    changes.push({ op: 'update', kind: 'uid', target: 'uid', before: u.uid, after: args.uid });
  }
  if (gid !== undefined && gid !== u.gid) {
    if (!args.allow_gid_change)
      throw new StateError(args.name, `primary gid is ${u.gid}, not ${gid} (set allow_gid_change: True to change it)`);
    changes.push({ op: 'update', kind: 'gid', target: 'gid', before: u.gid, after: gid });
  }
  if (args.home !== undefined && args.home !== u.home)
    changes.push({ op: 'update', kind: 'home', target: 'home', before: u.home, after: args.home });
  if (args.shell !== undefined && args.shell !== u.shell)
    changes.push({ op: 'update', kind: 'shell', target: 'shell', before: u.shell, after: args.shell });
  const gecos = gecosOf(u.gecos, args);
  if (GECOS.some((k) => args[k] !== undefined) && gecos !== u.gecos)
    changes.push({ op: 'update', kind: 'gecos', target: 'gecos', before: u.gecos, after: gecos });
  if (groups) {
    const current = f.accounts.groups
      .filter((g) => g.members.includes(u.name) && g.gid !== u.gid)
      .map((g) => g.name)
      .sort();
    const missing = groups.filter((g) => !current.includes(g));
    const extra = args.remove_groups === false ? [] : current.filter((g) => !groups.includes(g));
    if (missing.length || extra.length) {
      const after = args.remove_groups === false ? [...new Set([...current, ...groups])].sort() : groups;
      changes.push({ op: 'update', kind: 'groups', target: 'groups', before: current, after });
    }
  }
  if (args.password !== undefined && args.enforce_password !== false && args.password !== f.hash)
    changes.push({ op: 'update', kind: 'password', target: 'password', before: HIDDEN, after: HIDDEN });
  return changes;
}

async function setPassword(host: Host, name: string, hash: string, plain = false): Promise<void> {
  // plain (hash_password): chpasswd hashes it with the system's method
  const r = await host.exec(plain ? ['chpasswd'] : ['chpasswd', '-e'], { stdin: `${name}:${hash}\n` });
  if (r.exitCode !== 0) throw new StateError(name, `setting the password failed (chpasswd exit ${r.exitCode})`);
}

async function run(host: Host, name: string, argv: string[]): Promise<void> {
  const r = await host.exec(argv, { env: { LC_ALL: 'C' } });
  if (r.exitCode !== 0)
    throw new StateError(name, `${argv[0]} failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`);
}

export const present: StateFunction<UserArgs, UserFacts, UserChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: NAME_PATTERN },
      uid: { type: 'integer', minimum: 0 },
      gid: { type: ['integer', 'string'], minLength: 1 },
      groups: { type: 'array', items: { type: 'string', minLength: 1 } },
      optional_groups: { type: 'array', items: { type: 'string', minLength: 1 } },
      remove_groups: { type: 'boolean' },
      home: { type: 'string', pattern: '^/' },
      createhome: { type: 'boolean' },
      shell: { type: 'string', pattern: '^/' },
      system: { type: 'boolean' },
      password: { type: 'string' },
      fullname: { type: 'string', pattern: '^[^:,\\n]*$' },
      roomnumber: { type: 'string', pattern: '^[^:,\\n]*$' },
      workphone: { type: 'string', pattern: '^[^:,\\n]*$' },
      homephone: { type: 'string', pattern: '^[^:,\\n]*$' },
      other: { type: 'string', pattern: '^[^:\\n]*$' },
      enforce_password: { type: 'boolean' },
      hash_password: { type: 'boolean' },
      unique: { type: 'boolean' },
      allow_uid_change: { type: 'boolean' },
      allow_gid_change: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  inert: { expire: 'brine does not manage account expiry (set it with chage in a cmd.run if needed)' },
  lock: 'passwd',
  secretArgs: ['password'],
  gather: gatherOne,
  async gatherMany(host, items) {
    const a = await readAccounts(
      host,
      items.map((i) => i.args.name),
      { shadow: items.some((i) => i.args.password !== undefined) },
    );
    return Promise.all(items.map((i) => plainHashed(host, i.args, toFacts(a, i.args))));
  },
  plan: planUserPresent,
  async apply(host, changes, ctx) {
    const { args } = ctx;
    const has = (k: UserChange['kind']) => changes.find((c) => c.kind === k);
    const create = has('account');
    if (create || has('groups') || has('gid')) await needGroups(host, args);
    if (create) {
      const argv = ['useradd'];
      // -o needs -u
      if (args.uid !== undefined) argv.push('-u', String(args.uid), ...(args.unique === false ? ['-o'] : []));
      if (ownGroupIsPrimary(args)) argv.push('-U');
      else if (args.gid !== undefined) argv.push('-g', String(args.gid));
      const groups = wantedGroups(args, ctx.facts);
      if (groups?.length) argv.push('-G', groups.join(','));
      if (args.home) argv.push('-d', args.home);
      argv.push(args.createhome === false ? '-M' : '-m');
      if (args.shell) argv.push('-s', args.shell);
      if (args.system) argv.push('-r');
      if (GECOS.some((k) => args[k] !== undefined)) argv.push('-c', gecosOf('', args));
      await run(host, args.name, [...argv, '--', args.name]);
    } else {
      const argv = ['usermod'];
      const v = (k: UserChange['kind']) => String(has(k)!.after);
      if (has('uid')) argv.push('-u', v('uid'), ...(args.unique === false ? ['-o'] : []));
      if (has('gid')) argv.push('-g', v('gid'));
      if (has('home')) argv.push('-d', v('home'));
      if (has('shell')) argv.push('-s', v('shell'));
      if (has('gecos')) argv.push('-c', v('gecos'));
      if (has('groups')) argv.push('-G', (has('groups')!.after as string[]).join(','));
      if (argv.length > 1) await run(host, args.name, [...argv, '--', args.name]);
    }
    if (args.password !== undefined && (has('password') || create))
      await setPassword(host, args.name, args.password, !!args.hash_password);
  },
};

export const absent: StateFunction<{ name: string; purge?: boolean; force?: boolean }, UserFacts, AccountChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: NAME_PATTERN },
      purge: { type: 'boolean' },
      force: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  lock: 'passwd',
  gather: (host, args) => gatherOne(host, args),
  plan: (args, f) =>
    f.user
      ? [
          {
            op: 'delete',
            kind: 'account',
            target: args.name,
            before: { uid: f.user.uid, home: f.user.home },
            ...(args.purge ? { after: `home ${f.user.home} removed` } : {}),
          },
        ]
      : [],
  async apply(host, _changes, ctx) {
    const argv = ['userdel', ...(ctx.args.purge ? ['-r'] : []), ...(ctx.args.force ? ['-f'] : []), '--', ctx.args.name];
    const r = await host.exec(argv, { env: { LC_ALL: 'C' } });
    // 12: the home directory could not be removed (e.g. it never existed); the user is gone
    if (r.exitCode !== 0 && r.exitCode !== 12) {
      throw new StateError(
        ctx.args.name,
        `userdel failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`,
      );
    }
  },
};
