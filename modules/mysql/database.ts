// mysql_database.present / absent (Salt's states on MariaDB/MySQL): a database with its default
// character set and collation (an existing one is altered to them, as Salt does).
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { connSchema, type MysqlConn, mysql, quoteIdent, quoteLiteral, rows, SECRET_ARGS } from './client.js';

export interface DatabaseArgs extends MysqlConn {
  name: string;
  character_set?: string;
  collate?: string;
}

export interface DatabaseFacts {
  exists: boolean;
  character_set?: string;
  collate?: string;
}

/** utf8 is utf8mb3 in MariaDB 10.6+ (and its collations utf8_* are utf8mb3_*). */
export const sameCharset = (a: string, b: string): boolean =>
  a.toLowerCase().replace(/^utf8mb3(?=_|$)/, 'utf8') === b.toLowerCase().replace(/^utf8mb3(?=_|$)/, 'utf8');

async function gather(host: Host, a: DatabaseArgs): Promise<DatabaseFacts> {
  const r = await rows(
    host,
    'SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA ' +
      `WHERE SCHEMA_NAME = ${quoteLiteral(a.name)};`,
    a,
  );
  return r[0] ? { exists: true, character_set: r[0][0], collate: r[0][1] } : { exists: false };
}

export function planDatabasePresent(a: DatabaseArgs, f: DatabaseFacts): Change[] {
  // '' is unset (formulas write `character_set: ''` when none is configured)
  const cs = a.character_set || undefined;
  const co = a.collate || undefined;
  if (!f.exists)
    return [{ op: 'create', target: a.name, after: { ...(cs && { character_set: cs }), ...(co && { collate: co }) } }];
  const out: Change[] = [];
  if (cs && !sameCharset(cs, f.character_set!))
    out.push({ op: 'update', target: 'character_set', before: f.character_set, after: cs });
  if (co && !sameCharset(co, f.collate!)) out.push({ op: 'update', target: 'collate', before: f.collate, after: co });
  return out;
}

function options(a: DatabaseArgs): string {
  const cs = a.character_set ? ` CHARACTER SET ${quoteIdent(a.character_set)}` : '';
  return `${cs}${a.collate ? ` COLLATE ${quoteIdent(a.collate)}` : ''}`;
}

export const present: StateFunction<DatabaseArgs, DatabaseFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 64 },
      character_set: { type: 'string', pattern: '^[A-Za-z0-9_]*$' },
      collate: { type: 'string', pattern: '^[A-Za-z0-9_]*$' },
      ...connSchema,
    },
    additionalProperties: false,
  },
  secretArgs: SECRET_ARGS,
  gather,
  plan: planDatabasePresent,
  async apply(host, changes, ctx) {
    const a = ctx.args;
    const verb = changes.some((c) => c.op === 'create') ? 'CREATE DATABASE' : 'ALTER DATABASE';
    await mysql(host, `${verb} ${quoteIdent(a.name)}${options(a)};`, a);
  },
};

export const absent: StateFunction<DatabaseArgs, DatabaseFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, ...connSchema },
    additionalProperties: false,
  },
  secretArgs: SECRET_ARGS,
  gather,
  plan: (a, f) => (f.exists ? [{ op: 'delete', target: a.name }] : []),
  async apply(host, _changes, ctx) {
    await mysql(host, `DROP DATABASE ${quoteIdent(ctx.args.name)};`, ctx.args);
  },
};
