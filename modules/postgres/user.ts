// postgres_user.present / absent: a role with its flags and password. The password is a secret:
// it is never printed (changes say "set" or "changed"), compared through the stored verifier, and
// sent to the server as a SCRAM verifier computed here.

import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { RoleChange } from './changes.js';
import { md5Verifier, scramVerifier, verifierMatches } from './password.js';
import { connKey, connSchema, type PgConn, psql, quoteIdent, quoteLiteral, queryRows } from './psql.js';

/** Flag argument -> pg_authid column and SQL keyword. */
export const FLAGS = {
  login: { column: 'rolcanlogin', keyword: 'LOGIN' },
  superuser: { column: 'rolsuper', keyword: 'SUPERUSER' },
  createdb: { column: 'rolcreatedb', keyword: 'CREATEDB' },
  createrole: { column: 'rolcreaterole', keyword: 'CREATEROLE' },
  inherit: { column: 'rolinherit', keyword: 'INHERIT' },
  replication: { column: 'rolreplication', keyword: 'REPLICATION' },
} as const;
export type Flag = keyof typeof FLAGS;

export interface UserArgs extends PgConn {
  name: string;
  password?: string;
  login?: boolean;
  superuser?: boolean;
  createdb?: boolean;
  createrole?: boolean;
  inherit?: boolean;
  replication?: boolean;
  /** Salt's spelling of createrole. */
  createroles?: boolean;
  /** How the password is stored: scram-sha-256 (default, also `true`) or md5. */
  encrypted?: boolean | 'scram-sha-256' | 'md5';
  [k: string]: unknown;
}

export interface UserFacts {
  exists: boolean;
  flags: Partial<Record<Flag, boolean>>;
  /** Whether a password is stored. */
  hasPassword: boolean;
  /** Whether the stored verifier matches args.password (null: no password wanted, or cannot tell). */
  passwordMatches: boolean | null;
}

interface RoleRow {
  rolname: string;
  rolpassword: string | null;
  [column: string]: unknown;
}

const ROLE_COLUMNS = ['rolname', 'rolpassword', ...Object.values(FLAGS).map((f) => f.column)].join(', ');

function factsFor(args: UserArgs, row: RoleRow | undefined): UserFacts {
  if (!row) return { exists: false, flags: {}, hasPassword: false, passwordMatches: null };
  const flags: Partial<Record<Flag, boolean>> = {};
  for (const [flag, { column }] of Object.entries(FLAGS)) flags[flag as Flag] = Boolean(row[column]);
  return {
    exists: true,
    flags,
    hasPassword: row.rolpassword !== null,
    passwordMatches: args.password === undefined ? null : verifierMatches(row.rolpassword, args.password, args.name),
  };
}

async function readRoles(host: Host, names: string[], conn: PgConn): Promise<Map<string, RoleRow>> {
  const rows = await queryRows<RoleRow>(
    host,
    `SELECT ${ROLE_COLUMNS} FROM pg_authid WHERE rolname IN (${names.map(quoteLiteral).join(', ')})`,
    'postgres',
    conn,
  );
  return new Map(rows.map((r) => [r.rolname, r]));
}

/** The wanted flags: those the args set, plus LOGIN for a new role unless the args say otherwise. */
function wantedFlags(args: UserArgs, creating: boolean): Partial<Record<Flag, boolean>> {
  const out: Partial<Record<Flag, boolean>> = {};
  for (const flag of Object.keys(FLAGS) as Flag[])
    if (typeof args[flag] === 'boolean') out[flag] = args[flag] as boolean;
  if (out.createrole === undefined && typeof args.createroles === 'boolean') out.createrole = args.createroles;
  if (creating && out.login === undefined) out.login = true;
  return out;
}

export function planUserPresent(args: UserArgs, f: UserFacts): RoleChange[] {
  if (!f.exists) {
    const after: Record<string, unknown> = { ...wantedFlags(args, true) };
    if (args.password !== undefined) after.password = 'set';
    return [{ op: 'create', kind: 'role', target: args.name, after }];
  }
  const changes: RoleChange[] = [];
  for (const [flag, want] of Object.entries(wantedFlags(args, false)) as Array<[Flag, boolean]>) {
    const have = f.flags[flag];
    if (have !== want) changes.push({ op: 'update', kind: 'flag', target: flag, flag, before: have, after: want });
  }
  if (args.password !== undefined && f.passwordMatches !== true) {
    changes.push({
      op: 'update',
      kind: 'password',
      target: 'password',
      before: f.hasPassword ? 'set (differs)' : 'not set',
      after: 'set',
    });
  }
  return changes;
}

function flagSql(flags: Partial<Record<Flag, boolean>>): string {
  return Object.entries(flags)
    .map(([flag, on]) => `${on ? '' : 'NO'}${FLAGS[flag as Flag].keyword}`)
    .join(' ');
}

export const present: StateFunction<UserArgs, UserFacts, RoleChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 63 },
      password: { type: 'string', minLength: 1 },
      login: { type: 'boolean' },
      superuser: { type: 'boolean' },
      createdb: { type: 'boolean' },
      createrole: { type: 'boolean' },
      inherit: { type: 'boolean' },
      replication: { type: 'boolean' },
      createroles: { type: 'boolean' },
      encrypted: { enum: [true, 'scram-sha-256', 'md5'] },
      ...connSchema,
    },
    additionalProperties: false,
  },
  secretArgs: ['password'],
  async gather(host, args) {
    const rows = await readRoles(host, [args.name], args);
    return factsFor(args, rows.get(args.name));
  },
  async gatherMany(host, items) {
    const byConn = new Map<string, UserArgs[]>();
    for (const { args } of items) byConn.set(connKey(args), [...(byConn.get(connKey(args)) ?? []), args]);
    const rows = new Map<string, Map<string, RoleRow>>();
    await Promise.all(
      [...byConn].map(async ([key, list]) =>
        rows.set(key, await readRoles(host, [...new Set(list.map((a) => a.name))], list[0]!)),
      ),
    );
    return items.map(({ args }) => factsFor(args, rows.get(connKey(args))!.get(args.name)));
  },
  plan: planUserPresent,
  async apply(host, changes, ctx) {
    const { args, facts } = ctx;
    const flags: Partial<Record<Flag, boolean>> = {};
    for (const c of changes) if (c.kind === 'flag') flags[c.flag] = c.after;
    const create = changes.some((c) => c.kind === 'role');
    const setPassword = args.password !== undefined && (create || changes.some((c) => c.kind === 'password'));
    const parts = [flagSql(facts.exists ? flags : wantedFlags(args, true))];
    if (setPassword) {
      const verifier =
        args.encrypted === 'md5' ? md5Verifier(args.password!, args.name) : scramVerifier(args.password!);
      parts.push(`PASSWORD ${quoteLiteral(verifier)}`);
    }
    const verb = facts.exists ? 'ALTER' : 'CREATE';
    const sql = `${verb} ROLE ${quoteIdent(args.name)} WITH ${parts.filter(Boolean).join(' ')};`;
    await psql(host, sql, 'postgres', args);
  },
};

export const absent: StateFunction<UserArgs, UserFacts, RoleChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 63 }, ...connSchema },
    additionalProperties: false,
  },
  async gather(host, args) {
    const rows = await readRoles(host, [args.name], args);
    return factsFor(args, rows.get(args.name));
  },
  plan: (args, f) => (f.exists ? [{ op: 'delete', kind: 'role', target: args.name }] : []),
  async apply(host, _changes, ctx) {
    await psql(host, `DROP ROLE ${quoteIdent(ctx.args.name)};`, 'postgres', ctx.args);
  },
};
