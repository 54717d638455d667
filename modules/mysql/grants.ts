// mysql_grants.present / absent (Salt's states on MariaDB/MySQL): privileges of 'user'@'host' on
// `db`.`table`, read with SHOW GRANTS (what a grant line says beyond privileges, target and grant
// option, such as a password hash, is never kept).
import { CommandError, StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { account, connSchema, type MysqlConn, mysql, quoteIdent, quoteLiteral, SECRET_ARGS } from './client.js';

export interface GrantArgs extends MysqlConn {
  name: string;
  grant: string;
  database: string;
  user: string;
  host?: string;
  grant_option?: boolean;
  escape?: boolean;
  revoke_first?: boolean;
  ssl_option?: Array<Record<string, string | boolean>> | false;
}

/** One line of SHOW GRANTS: privileges (normalised) on a target (backticks removed). */
export interface GrantLine {
  target: string;
  privileges: string[];
  grantOption: boolean;
}

export interface GrantFacts {
  /** null: the account has no grants at all (it does not exist yet). */
  lines: GrantLine[] | null;
}

const hostOf = (a: GrantArgs): string => a.host ?? 'localhost';

/** SELECT, insert , all -> ['SELECT', 'INSERT', 'ALL PRIVILEGES']; anything but words is refused. */
export function privileges(grant: string, state: string): string[] {
  return grant.split(',').map((p) => {
    const n = p.trim().replace(/\s+/g, ' ').toUpperCase();
    if (!/^[A-Z][A-Z ]*$/.test(n)) throw new StateError(state, `'${p.trim()}' is not a privilege`);
    return n === 'ALL' ? 'ALL PRIVILEGES' : n;
  });
}

/** db.table as SQL: each part quoted when `escape` (Salt's default), `*` never; Salt's %% is %. */
export function targetSql(database: string, quoted = true): string {
  const dot = database.lastIndexOf('.');
  if (dot <= 0) throw new StateError(database, `database '${database}' is not DB.TABLE (such as db.* or *.*)`);
  const [db, table] = [database.slice(0, dot), database.slice(dot + 1)];
  if (!quoted) {
    if (/[;'"\\\s]/.test(database.replace(/\\[_%]/g, '')))
      throw new StateError(database, 'unescaped database has quotes or spaces');
    return database.replace(/%%/g, '%');
  }
  const part = (s: string) => (s === '*' ? '*' : quoteIdent(s));
  return `${part(db)}.${part(table)}`;
}

/** The comparable form of a target: no backticks. */
const plainTarget = (t: string): string => t.replace(/`/g, '');

export function parseGrants(stdout: string): GrantLine[] {
  const out: GrantLine[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^GRANT (.+?) ON (\S+) TO /.exec(line);
    if (!m || m[1]!.startsWith('PROXY')) continue;
    out.push({
      target: plainTarget(m[2]!),
      privileges: m[1]!.split(/,\s*/).map((p) => p.trim().toUpperCase()),
      grantOption: / WITH GRANT OPTION\b/.test(line),
    });
  }
  return out;
}

async function gather(host: Host, a: GrantArgs): Promise<GrantFacts> {
  try {
    const r = await mysql(host, `SHOW GRANTS FOR ${account(a.user, hostOf(a))};`, a, true);
    return { lines: parseGrants(r.stdout) };
  } catch (e) {
    // ERROR 1141: there is no such grant defined (the account does not exist)
    if (e instanceof CommandError && /ERROR 1141/.test(e.result.stderr)) return { lines: null };
    throw e;
  }
}

function missing(a: GrantArgs, f: GrantFacts): string[] {
  const want = privileges(a.grant, a.name);
  const target = plainTarget(targetSql(a.database, a.escape));
  const have = (f.lines ?? []).filter((l) => l.target === target);
  const privs = new Set(have.flatMap((l) => l.privileges));
  const out = privs.has('ALL PRIVILEGES') ? [] : want.filter((p) => p !== 'USAGE' && !privs.has(p));
  if (a.grant_option && !have.some((l) => l.grantOption)) out.push('GRANT OPTION');
  return out;
}

export function planGrantPresent(a: GrantArgs, f: GrantFacts): Change[] {
  const miss = missing(a, f);
  if (!miss.length) return [];
  return [
    { op: f.lines ? 'update' : 'create', target: `${a.user}@${hostOf(a)} on ${a.database}`, after: miss.join(', ') },
  ];
}

/** Salt's ssl_option: [{SSL: True}, {X509: True}, {SUBJECT: '...'}] -> REQUIRE SSL AND X509 AND SUBJECT '...'. */
export function requireSql(opts: GrantArgs['ssl_option']): string {
  if (!opts) return '';
  const parts: string[] = [];
  for (const o of opts) {
    for (const [k, v] of Object.entries(o)) {
      const key = k.toUpperCase();
      if (key === 'SSL' || key === 'X509') {
        if (v === true) parts.push(key);
      } else if (['SUBJECT', 'ISSUER', 'CIPHER'].includes(key)) parts.push(`${key} ${quoteLiteral(String(v))}`);
      else throw new StateError(k, `ssl_option '${k}' is not SSL, X509, SUBJECT, ISSUER or CIPHER`);
    }
  }
  return parts.length ? ` REQUIRE ${parts.join(' AND ')}` : '';
}

const sslOption = {
  anyOf: [
    { const: false },
    { type: 'array', items: { type: 'object', additionalProperties: { type: ['string', 'boolean'] } } },
  ],
};

const grantProps = {
  name: { type: 'string', minLength: 1 },
  grant: { type: 'string', minLength: 1 },
  database: { type: 'string', minLength: 3 },
  user: { type: 'string', minLength: 1 },
  host: { type: 'string', minLength: 1 },
  grant_option: { type: 'boolean' },
  escape: { type: 'boolean' },
  ...connSchema,
};

export const present: StateFunction<GrantArgs, GrantFacts> = {
  schema: {
    type: 'object',
    required: ['name', 'grant', 'database', 'user'],
    properties: { ...grantProps, revoke_first: { type: 'boolean' }, ssl_option: sslOption },
    additionalProperties: false,
  },
  secretArgs: SECRET_ARGS,
  gather,
  plan(a, f) {
    requireSql(a.ssl_option);
    return planGrantPresent(a, f);
  },
  async apply(host, _changes, ctx) {
    const a = ctx.args;
    const on = `ON ${targetSql(a.database, a.escape)} TO ${account(a.user, hostOf(a))}`;
    const privs = privileges(a.grant, a.name).join(', ');
    const revoke = a.revoke_first
      ? `REVOKE ALL PRIVILEGES ON ${targetSql(a.database, a.escape)} FROM ${account(a.user, hostOf(a))};\n`
      : '';
    await mysql(
      host,
      `${revoke}GRANT ${privs} ${on}${requireSql(a.ssl_option)}${a.grant_option ? ' WITH GRANT OPTION' : ''};`,
      a,
    );
  },
};

export const absent: StateFunction<GrantArgs, GrantFacts> = {
  schema: {
    type: 'object',
    required: ['name', 'grant', 'database', 'user'],
    properties: grantProps,
    additionalProperties: false,
  },
  secretArgs: SECRET_ARGS,
  gather,
  plan(a, f) {
    const want = privileges(a.grant, a.name);
    const target = plainTarget(targetSql(a.database, a.escape));
    const have = new Set((f.lines ?? []).filter((l) => l.target === target).flatMap((l) => l.privileges));
    const held = have.has('ALL PRIVILEGES') ? want : want.filter((p) => have.has(p));
    return held.length
      ? [{ op: 'delete', target: `${a.user}@${hostOf(a)} on ${a.database}`, before: held.join(', ') }]
      : [];
  },
  async apply(host, _changes, ctx) {
    const a = ctx.args;
    const privs = privileges(a.grant, a.name).join(', ');
    await mysql(host, `REVOKE ${privs} ON ${targetSql(a.database, a.escape)} FROM ${account(a.user, hostOf(a))};`, a);
  },
};
