// group.present / group.absent with groupadd, groupmod, gpasswd, groupdel.
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import { type Accounts, type GroupEntry, NAME_PATTERN, readAccounts } from './accounts.js';
import type { AccountChange, GroupChange } from './changes.js';

export interface GroupArgs {
  name: string;
  gid?: number;
  system?: boolean;
  /** The exact member list. */
  members?: string[];
  /** Users added (others stay). */
  addusers?: string[];
  /** Users removed. */
  delusers?: string[];
  [k: string]: unknown;
}

export interface GroupFacts {
  group: GroupEntry | null;
  /** The gid is taken by another group. */
  gidOwner: string | null;
}

const names = { type: 'array', items: { type: 'string', pattern: NAME_PATTERN } };

function toFacts(a: Accounts, args: GroupArgs): GroupFacts {
  const group = a.groups.find((g) => g.name === args.name) ?? null;
  const owner = args.gid !== undefined ? a.groups.find((g) => g.gid === args.gid && g.name !== args.name) : undefined;
  return { group, gidOwner: owner?.name ?? null };
}

function wantedMembers(args: GroupArgs, current: string[]): string[] | null {
  if (args.members === undefined && !args.addusers && !args.delusers) return null;
  let want = args.members !== undefined ? [...args.members] : [...current];
  for (const u of args.addusers ?? []) if (!want.includes(u)) want.push(u);
  want = want.filter((u) => !(args.delusers ?? []).includes(u));
  return [...new Set(want)].sort();
}

export function planGroupPresent(args: GroupArgs, f: GroupFacts): GroupChange[] {
  if (f.gidOwner) throw new StateError(args.name, `gid ${args.gid} is already used by group '${f.gidOwner}'`);
  const current = f.group ? [...f.group.members].sort() : [];
  const members = wantedMembers(args, current);
  if (!f.group) {
    const after: Record<string, unknown> = {};
    if (args.gid !== undefined) after.gid = args.gid;
    if (args.system) after.system = true;
    if (members?.length) after.members = members;
    return [{ op: 'create', kind: 'account', target: args.name, after }];
  }
  const changes: GroupChange[] = [];
  if (args.gid !== undefined && args.gid !== f.group.gid)
    changes.push({ op: 'update', kind: 'gid', target: 'gid', before: f.group.gid, after: args.gid });
  if (members && members.join(',') !== current.join(','))
    changes.push({ op: 'update', kind: 'members', target: 'members', before: current, after: members });
  return changes;
}

async function run(host: Host, name: string, argv: string[]): Promise<void> {
  const r = await host.exec(argv, { env: { LC_ALL: 'C' } });
  if (r.exitCode !== 0)
    throw new StateError(name, `${argv[0]} failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`);
}

export const present: StateFunction<GroupArgs, GroupFacts, GroupChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: NAME_PATTERN },
      gid: { type: 'integer', minimum: 0 },
      system: { type: 'boolean' },
      members: names,
      addusers: names,
      delusers: names,
    },
    additionalProperties: false,
  },
  lock: 'passwd',
  gather: async (host, args) => toFacts(await readAccounts(host, []), args),
  async gatherMany(host, items) {
    const a = await readAccounts(host, []);
    return items.map((i) => toFacts(a, i.args));
  },
  plan: planGroupPresent,
  async apply(host, changes, ctx) {
    const { args } = ctx;
    let members = changes.find((c) => c.kind === 'members')?.after as string[] | undefined;
    const create = changes.find((c) => c.kind === 'account');
    if (create) {
      await run(host, args.name, [
        'groupadd',
        ...(args.gid !== undefined ? ['-g', String(args.gid)] : []),
        ...(args.system ? ['-r'] : []),
        '--',
        args.name,
      ]);
      members = (create.after as { members?: string[] }).members;
    }
    if (changes.some((c) => c.kind === 'gid'))
      await run(host, args.name, ['groupmod', '-g', String(args.gid), '--', args.name]);
    if (members) {
      // a member may be created by a user.present in the same run: check now, not in the plan
      const { users } = await readAccounts(host, members);
      const missing = members.filter((u) => !users.has(u));
      if (missing.length)
        throw new StateError(args.name, `member ${missing.map((u) => `'${u}'`).join(', ')} does not exist`);
      await run(host, args.name, ['gpasswd', '-M', members.join(','), args.name]);
    }
  },
};

export const absent: StateFunction<{ name: string }, GroupFacts, AccountChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', pattern: NAME_PATTERN } },
    additionalProperties: false,
  },
  lock: 'passwd',
  gather: async (host, args) => toFacts(await readAccounts(host, []), args),
  plan: (args, f) =>
    f.group ? [{ op: 'delete', kind: 'account', target: args.name, before: { gid: f.group.gid } }] : [],
  async apply(host, _changes, ctx) {
    await run(host, ctx.args.name, ['groupdel', '--', ctx.args.name]);
  },
};
