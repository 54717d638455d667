// postgres_database.present / absent. The owner can change in place; encoding and locale cannot,
// so a database that exists with others fails the state with a comment saying so.

import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { DatabaseChange } from './changes.js';
import { connKey, connSchema, type PgConn, psql, quoteIdent, quoteLiteral, queryRows } from './psql.js';

export interface DatabaseArgs extends PgConn {
  name: string;
  owner?: string;
  encoding?: string;
  lc_collate?: string;
  lc_ctype?: string;
  template?: string;
  /** The default tablespace (ALTER DATABASE ... SET TABLESPACE moves an existing database, as Salt does). */
  tablespace?: string;
  /** absent: terminate open connections first (DROP DATABASE ... WITH (FORCE)). */
  force?: boolean;
  [k: string]: unknown;
}

export interface DatabaseFacts {
  exists: boolean;
  owner?: string;
  encoding?: string;
  lc_collate?: string;
  lc_ctype?: string;
  tablespace?: string;
}

type DbRow = {
  name: string;
  owner: string;
  encoding: string;
  lc_collate: string;
  lc_ctype: string;
  tablespace: string;
};

async function readDatabases(host: Host, names: string[], conn: PgConn): Promise<Map<string, DbRow>> {
  const rows = await queryRows<DbRow>(
    host,
    `SELECT datname AS name, pg_get_userbyid(datdba) AS owner, pg_encoding_to_char(encoding) AS encoding, ` +
      `datcollate AS lc_collate, datctype AS lc_ctype, (SELECT spcname FROM pg_tablespace t WHERE t.oid = ` +
      `dattablespace) AS tablespace FROM pg_database WHERE datname IN (${names.map(quoteLiteral).join(', ')})`,
    'postgres',
    conn,
  );
  return new Map(rows.map((r) => [r.name, r]));
}

function factsOf(row: DbRow | undefined): DatabaseFacts {
  if (!row) return { exists: false };
  const { name: _name, ...rest } = row;
  return { exists: true, ...rest };
}

async function readDatabase(host: Host, args: DatabaseArgs): Promise<DatabaseFacts> {
  return factsOf((await readDatabases(host, [args.name], args)).get(args.name));
}

/** One query per cluster for every database state. */
async function readDatabasesMany(host: Host, items: Array<{ args: DatabaseArgs }>): Promise<DatabaseFacts[]> {
  const key = connKey;
  const groups = new Map<string, DatabaseArgs[]>();
  for (const { args } of items) groups.set(key(args), [...(groups.get(key(args)) ?? []), args]);
  const found = new Map<string, Map<string, DbRow>>();
  await Promise.all(
    [...groups].map(async ([k, list]) =>
      found.set(k, await readDatabases(host, [...new Set(list.map((a) => a.name))], list[0]!)),
    ),
  );
  return items.map(({ args }) => factsOf(found.get(key(args))!.get(args.name)));
}

/** UTF8 = utf-8 = UTF_8. */
export function sameEncoding(a: string, b: string): boolean {
  return a.replace(/[-_]/g, '').toUpperCase() === b.replace(/[-_]/g, '').toUpperCase();
}

/** de_DE.utf8 = de_DE.UTF-8 (glibc normalizes the codeset the same way). */
export function sameLocale(a: string, b: string): boolean {
  const norm = (s: string) => {
    const [lang, rest] = s.split('.', 2);
    if (rest === undefined) return s;
    const [codeset, mod] = rest.split('@', 2);
    return `${lang}.${codeset!.replace(/[-_]/g, '').toLowerCase()}${mod ? `@${mod}` : ''}`;
  };
  return norm(a) === norm(b);
}

export function planDatabasePresent(args: DatabaseArgs, f: DatabaseFacts): DatabaseChange[] {
  if (!f.exists) {
    const after: Record<string, string> = {};
    for (const k of ['owner', 'encoding', 'lc_collate', 'lc_ctype', 'template', 'tablespace'] as const)
      if (args[k]) after[k] = args[k]!;
    return [{ op: 'create', kind: 'database', target: args.name, after }];
  }
  const fixed: string[] = [];
  if (args.encoding && !sameEncoding(args.encoding, f.encoding!))
    fixed.push(`encoding is ${f.encoding}, wanted ${args.encoding}`);
  if (args.lc_collate && !sameLocale(args.lc_collate, f.lc_collate!))
    fixed.push(`lc_collate is ${f.lc_collate}, wanted ${args.lc_collate}`);
  if (args.lc_ctype && !sameLocale(args.lc_ctype, f.lc_ctype!))
    fixed.push(`lc_ctype is ${f.lc_ctype}, wanted ${args.lc_ctype}`);
  if (fixed.length) {
    throw new StateError(
      args.name,
      `database exists but its ${fixed.join('; ')}: this cannot be changed in place (dump, drop and re-create it)`,
    );
  }
  const out: DatabaseChange[] = [];
  if (args.owner && args.owner !== f.owner)
    out.push({ op: 'update', kind: 'owner', target: 'owner', before: f.owner, after: args.owner });
  if (args.tablespace && args.tablespace !== f.tablespace)
    out.push({ op: 'update', kind: 'tablespace', target: 'tablespace', before: f.tablespace, after: args.tablespace });
  return out;
}

export function createDatabaseSql(args: DatabaseArgs): string {
  const parts = [`CREATE DATABASE ${quoteIdent(args.name)}`];
  if (args.owner) parts.push(`OWNER ${quoteIdent(args.owner)}`);
  if (args.encoding) parts.push(`ENCODING ${quoteLiteral(args.encoding)}`);
  if (args.lc_collate) parts.push(`LC_COLLATE ${quoteLiteral(args.lc_collate)}`);
  if (args.lc_ctype) parts.push(`LC_CTYPE ${quoteLiteral(args.lc_ctype)}`);
  // A locale or encoding other than template1's needs template0.
  const template = args.template ?? (args.encoding || args.lc_collate || args.lc_ctype ? 'template0' : undefined);
  if (template) parts.push(`TEMPLATE ${quoteIdent(template)}`);
  if (args.tablespace) parts.push(`TABLESPACE ${quoteIdent(args.tablespace)}`);
  return `${parts.join(' ')};`;
}

export const present: StateFunction<DatabaseArgs, DatabaseFacts, DatabaseChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 63 },
      owner: { type: 'string', minLength: 1 },
      encoding: { type: 'string', minLength: 1 },
      lc_collate: { type: 'string', minLength: 1 },
      lc_ctype: { type: 'string', minLength: 1 },
      template: { type: 'string', minLength: 1 },
      tablespace: { type: 'string', minLength: 1 },
      ...connSchema,
    },
    additionalProperties: false,
  },
  gather: readDatabase,
  gatherMany: readDatabasesMany,
  plan: planDatabasePresent,
  async apply(host, changes, ctx) {
    const { args } = ctx;
    if (changes.some((c) => c.kind === 'database')) await psql(host, createDatabaseSql(args), 'postgres', args);
    else {
      if (changes.some((c) => c.kind === 'owner'))
        await psql(
          host,
          `ALTER DATABASE ${quoteIdent(args.name)} OWNER TO ${quoteIdent(args.owner!)};`,
          'postgres',
          args,
        );
      if (changes.some((c) => c.kind === 'tablespace'))
        await psql(
          host,
          `ALTER DATABASE ${quoteIdent(args.name)} SET TABLESPACE ${quoteIdent(args.tablespace!)};`,
          'postgres',
          args,
        );
    }
  },
};

export const absent: StateFunction<DatabaseArgs, DatabaseFacts, DatabaseChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 63 }, force: { type: 'boolean' }, ...connSchema },
    additionalProperties: false,
  },
  gather: readDatabase,
  plan: (args, f) =>
    f.exists ? [{ op: 'delete', kind: 'database', target: args.name, before: { owner: f.owner } }] : [],
  async apply(host, _changes, ctx) {
    await psql(
      host,
      `DROP DATABASE ${quoteIdent(ctx.args.name)}${ctx.args.force ? ' WITH (FORCE)' : ''};`,
      'postgres',
      ctx.args,
    );
  },
};
