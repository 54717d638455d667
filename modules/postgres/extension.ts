// postgres_extension.present / absent in one database (default `postgres`), optionally in a
// schema and at a version.

import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { ExtensionChange } from './changes.js';
import { connSchema, type PgConn, psql, quoteIdent, quoteLiteral, queryRows } from './psql.js';

export interface ExtensionArgs extends PgConn {
  name: string;
  db?: string;
  schema?: string;
  version?: string;
  /** absent: DROP ... CASCADE (also drops the objects that depend on it). */
  cascade?: boolean;
  /** Salt's names for db and version. */
  maintenance_db?: string;
  ext_version?: string;
  [k: string]: unknown;
}

const dbOf = (a: ExtensionArgs): string => a.db ?? a.maintenance_db ?? 'postgres';
const versionOf = (a: ExtensionArgs): string | undefined => a.version ?? a.ext_version;

export interface ExtensionFacts {
  dbExists: boolean;
  available: boolean;
  installed: { version: string; schema: string } | null;
}

async function readExtension(host: Host, args: ExtensionArgs): Promise<ExtensionFacts> {
  const db = dbOf(args);
  const [probe] = await queryRows<{ db: boolean; available: boolean }>(
    host,
    `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(db)}) AS db, EXISTS (SELECT 1 FROM ` +
      `pg_available_extensions WHERE name = ${quoteLiteral(args.name)}) AS available`,
    'postgres',
    args,
  );
  if (!probe!.db) return { dbExists: false, available: probe!.available, installed: null };
  const [row] = await queryRows<{ version: string; schema: string }>(
    host,
    `SELECT e.extversion AS version, n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = ` +
      `e.extnamespace WHERE e.extname = ${quoteLiteral(args.name)}`,
    db,
    args,
  );
  return { dbExists: true, available: probe!.available, installed: row ?? null };
}

export function planExtensionPresent(args: ExtensionArgs, f: ExtensionFacts): ExtensionChange[] {
  const db = dbOf(args);
  if (!f.installed) {
    if (!f.available)
      throw new MissingFactError(
        'package',
        args.name,
        args.name,
        `extension is not available on this server (no control file; is its package installed?)`,
      );
    const after: Record<string, string> = { db };
    if (args.schema) after.schema = args.schema;
    if (versionOf(args)) after.version = versionOf(args)!;
    return [{ op: 'create', kind: 'extension', target: args.name, after }];
  }
  const changes: ExtensionChange[] = [];
  if (args.schema && args.schema !== f.installed.schema)
    changes.push({ op: 'update', kind: 'schema', target: 'schema', before: f.installed.schema, after: args.schema });
  const version = versionOf(args);
  if (version && version !== f.installed.version)
    changes.push({ op: 'update', kind: 'version', target: 'version', before: f.installed.version, after: version });
  return changes;
}

export const present: StateFunction<ExtensionArgs, ExtensionFacts, ExtensionChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1 },
      db: { type: 'string', minLength: 1 },
      schema: { type: 'string', minLength: 1 },
      version: { type: 'string', minLength: 1 },
      maintenance_db: { type: 'string', minLength: 1 },
      ext_version: { type: 'string', minLength: 1 },
      ...connSchema,
    },
    additionalProperties: false,
  },
  gather: readExtension,
  plan: planExtensionPresent,
  async apply(host, changes, ctx) {
    const { args } = ctx;
    const ext = quoteIdent(args.name);
    const sql: string[] = [];
    if (changes.some((c) => c.kind === 'extension')) {
      const schema = args.schema ? ` SCHEMA ${quoteIdent(args.schema)}` : '';
      const version = versionOf(args) ? ` VERSION ${quoteLiteral(versionOf(args)!)}` : '';
      sql.push(`CREATE EXTENSION ${ext}${schema}${version};`);
    } else {
      if (changes.some((c) => c.kind === 'schema'))
        sql.push(`ALTER EXTENSION ${ext} SET SCHEMA ${quoteIdent(args.schema!)};`);
      if (changes.some((c) => c.kind === 'version'))
        sql.push(`ALTER EXTENSION ${ext} UPDATE TO ${quoteLiteral(versionOf(args)!)};`);
    }
    await psql(host, sql.join('\n'), dbOf(args), args);
  },
};

export const absent: StateFunction<ExtensionArgs, ExtensionFacts, ExtensionChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1 },
      db: { type: 'string', minLength: 1 },
      maintenance_db: { type: 'string', minLength: 1 },
      cascade: { type: 'boolean' },
      ...connSchema,
    },
    additionalProperties: false,
  },
  gather: readExtension,
  plan: (args, f) =>
    f.installed
      ? [{ op: 'delete', kind: 'extension', target: args.name, before: { db: dbOf(args), ...f.installed } }]
      : [],
  async apply(host, _changes, ctx) {
    await psql(
      host,
      `DROP EXTENSION ${quoteIdent(ctx.args.name)}${ctx.args.cascade ? ' CASCADE' : ''};`,
      dbOf(ctx.args),
      ctx.args,
    );
  },
};
