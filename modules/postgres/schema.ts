// postgres_schema.present / absent: a schema in a database (Salt's dbname, owner), run as the
// postgres system user with psql like the other postgres states.
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { SchemaChange } from './changes.js';
import { connSchema, type PgConn, psql, quoteIdent, quoteLiteral, queryRows } from './psql.js';

export interface SchemaArgs extends PgConn {
  name: string;
  dbname: string;
  owner?: string;
  [k: string]: unknown;
}

export interface SchemaFacts {
  dbExists: boolean;
  /** The schema's owner; null when the schema does not exist. */
  owner: string | null;
}

async function readSchema(host: Host, a: SchemaArgs): Promise<SchemaFacts> {
  const [probe] = await queryRows<{ db: boolean }>(
    host,
    `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(a.dbname)}) AS db`,
    'postgres',
    a,
  );
  if (!probe!.db) return { dbExists: false, owner: null };
  const [row] = await queryRows<{ owner: string }>(
    host,
    `SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = ${quoteLiteral(a.name)}`,
    a.dbname,
    a,
  );
  return { dbExists: true, owner: row?.owner ?? null };
}

export function planSchemaPresent(a: SchemaArgs, f: SchemaFacts, pendingRequisite?: string): SchemaChange[] {
  if (!f.dbExists) {
    if (pendingRequisite)
      return [
        {
          op: 'create',
          kind: 'schema',
          target: a.name,
          after: { dbname: a.dbname, ...(a.owner ? { owner: a.owner } : {}) },
        },
      ];
    throw new StateError(a.name, `database '${a.dbname}' does not exist`);
  }
  if (f.owner === null)
    return [
      {
        op: 'create',
        kind: 'schema',
        target: a.name,
        after: { dbname: a.dbname, ...(a.owner ? { owner: a.owner } : {}) },
      },
    ];
  if (a.owner && a.owner !== f.owner)
    return [{ op: 'update', kind: 'owner', target: 'owner', before: f.owner, after: a.owner }];
  return [];
}

const schema = {
  type: 'object',
  required: ['name', 'dbname'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 63 },
    dbname: { type: 'string', minLength: 1 },
    owner: { type: 'string', minLength: 1 },
    ...connSchema,
  },
  additionalProperties: false,
};

export const present: StateFunction<SchemaArgs, SchemaFacts, SchemaChange> = {
  schema,
  gather: readSchema,
  plan: (a, f, ctx) => planSchemaPresent(a, f, ctx?.pendingRequisite),
  async apply(host, changes, ctx) {
    const a = ctx.args;
    const owner = a.owner ? ` AUTHORIZATION ${quoteIdent(a.owner)}` : '';
    if (changes.some((c) => c.kind === 'schema'))
      await psql(host, `CREATE SCHEMA ${quoteIdent(a.name)}${owner};`, a.dbname, a);
    else if (changes.some((c) => c.kind === 'owner'))
      await psql(host, `ALTER SCHEMA ${quoteIdent(a.name)} OWNER TO ${quoteIdent(a.owner!)};`, a.dbname, a);
  },
};

export const absent: StateFunction<SchemaArgs, SchemaFacts, SchemaChange> = {
  schema: { ...schema, properties: { name: schema.properties.name, dbname: schema.properties.dbname, ...connSchema } },
  gather: readSchema,
  plan: (a, f) =>
    f.owner !== null
      ? [{ op: 'delete', kind: 'schema', target: a.name, before: { dbname: a.dbname, owner: f.owner } }]
      : [],
  async apply(host, _changes, ctx) {
    await psql(host, `DROP SCHEMA ${quoteIdent(ctx.args.name)};`, ctx.args.dbname, ctx.args);
  },
};
