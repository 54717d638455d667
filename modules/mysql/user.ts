// mysql_user.present / absent (Salt's states on MariaDB/MySQL): an account 'name'@'host' with a
// password (compared on the server with PASSWORD(), never read back), a password hash, the
// unix_socket plugin, or no password when allow_passwordless says so.
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { account, connSchema, type MysqlConn, mysql, quoteLiteral, rows, SECRET_ARGS } from './client.js';

export interface UserArgs extends MysqlConn {
  name: string;
  host?: string;
  password?: string;
  password_hash?: string;
  allow_passwordless?: boolean;
  unix_socket?: boolean;
  auth_plugin?: string;
}

export interface UserFacts {
  exists: boolean;
  plugin?: string;
  /** The wanted password (or hash) is the account's; null when none is wanted. */
  credentialsMatch?: boolean | null;
  /** The account has no password. */
  empty?: boolean;
}

const hostOf = (a: UserArgs): string => a.host ?? 'localhost';

function wantedAuth(a: UserArgs): 'password' | 'hash' | 'socket' | 'none' {
  if (a.password_hash) return 'hash';
  if (a.password) return 'password';
  if (a.unix_socket) return 'socket';
  if (a.allow_passwordless) return 'none';
  throw new StateError(a.name, 'password or password_hash must be given unless allow_passwordless is True');
}

async function gather(host: Host, a: UserArgs): Promise<UserFacts> {
  const want = wantedAuth(a);
  const check =
    want === 'password'
      ? `authentication_string = PASSWORD(${quoteLiteral(a.password!)})`
      : want === 'hash'
        ? `authentication_string = ${quoteLiteral(a.password_hash!)}`
        : 'NULL';
  const r = await rows(
    host,
    `SELECT plugin, IFNULL(${check}, 'n'), authentication_string = '' FROM mysql.user ` +
      `WHERE User = ${quoteLiteral(a.name)} AND Host = ${quoteLiteral(hostOf(a))};`,
    a,
  );
  const row = r[0];
  if (!row) return { exists: false };
  return {
    exists: true,
    plugin: row[0],
    credentialsMatch: row[1] === 'n' ? null : row[1] === '1',
    empty: row[2] === '1',
  };
}

export function planUserPresent(a: UserArgs, f: UserFacts): Change[] {
  const want = wantedAuth(a);
  const target = `${a.name}@${hostOf(a)}`;
  const how = {
    password: 'with a password',
    hash: 'with a password hash',
    socket: 'via unix_socket',
    none: 'without a password',
  }[want];
  if (!f.exists) return [{ op: 'create', target, after: `user ${how}` }];
  if (want === 'socket')
    return f.plugin === 'unix_socket' ? [] : [{ op: 'update', target, before: f.plugin, after: 'unix_socket' }];
  if (want === 'none') return f.empty ? [] : [{ op: 'update', target, after: 'password removed' }];
  // the password is never shown: only that it changes
  return f.credentialsMatch ? [] : [{ op: 'update', target, after: 'password changed' }];
}

function identified(a: UserArgs): string {
  switch (wantedAuth(a)) {
    case 'password':
      return ` IDENTIFIED BY ${quoteLiteral(a.password!)}`;
    case 'hash':
      return ` IDENTIFIED BY PASSWORD ${quoteLiteral(a.password_hash!)}`;
    case 'socket':
      return ' IDENTIFIED VIA unix_socket';
    default:
      return '';
  }
}

export const present: StateFunction<UserArgs, UserFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 80 },
      host: { type: 'string', minLength: 1 },
      password: { type: 'string', minLength: 1 },
      password_hash: { type: 'string', pattern: '^\\*[0-9A-Fa-f]{40}$' },
      allow_passwordless: { type: 'boolean' },
      unix_socket: { type: 'boolean' },
      // MariaDB's IDENTIFIED BY makes a mysql_native_password account: Salt's default
      auth_plugin: { enum: ['mysql_native_password'] },
      ...connSchema,
    },
    additionalProperties: false,
  },
  inert: {
    password_column: 'brine reads authentication_string, the column MariaDB 10.4+ and MySQL 5.7+ have',
  },
  secretArgs: SECRET_ARGS,
  gather,
  plan: planUserPresent,
  async apply(host, changes, ctx) {
    const a = ctx.args;
    const acct = account(a.name, hostOf(a));
    const verb = changes.some((c) => c.op === 'create') ? 'CREATE USER' : 'ALTER USER';
    const auth = identified(a);
    // ALTER USER without a clause keeps the password: removing it is an empty one
    const sql = verb === 'ALTER USER' && auth === '' ? `${verb} ${acct} IDENTIFIED BY ''` : `${verb} ${acct}${auth}`;
    await mysql(host, `${sql};`, a);
  },
};

export const absent: StateFunction<UserArgs, { exists: boolean }> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1 }, host: { type: 'string', minLength: 1 }, ...connSchema },
    additionalProperties: false,
  },
  secretArgs: SECRET_ARGS,
  async gather(host, a) {
    const r = await rows(
      host,
      `SELECT 1 FROM mysql.user WHERE User = ${quoteLiteral(a.name)} AND Host = ${quoteLiteral(hostOf(a))};`,
      a,
    );
    return { exists: r.length > 0 };
  },
  plan: (a, f) => (f.exists ? [{ op: 'delete', target: `${a.name}@${hostOf(a)}` }] : []),
  async apply(host, _changes, ctx) {
    await mysql(host, `DROP USER ${account(ctx.args.name, hostOf(ctx.args))};`, ctx.args);
  },
};
