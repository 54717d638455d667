// postgres_tablespace.present / absent, as Salt's: a tablespace at `directory` (which must exist,
// owned by the postgres user, as CREATE TABLESPACE needs), its `owner` and its `options`
// (seq_page_cost...; only the options given are compared and set). PostgreSQL cannot move a
// tablespace: one at another directory fails the state, as in Salt.
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateCtx, StateFunction } from '../../engine/contract.js';
import type { TablespaceChange } from './changes.js';
import { connSchema, type PgConn, psql, quoteIdent, quoteLiteral, queryRows } from './psql.js';

export interface TablespaceArgs extends PgConn {
  name: string;
  directory?: string;
  owner?: string;
  options?: Record<string, string | number | boolean>;
  maintenance_db?: string;
  [k: string]: unknown;
}

export interface TablespaceFacts {
  /** null: no such tablespace. */
  current: { location: string; owner: string; options: Record<string, string> } | null;
  /** Whether `directory` exists on the host (present only). */
  dirExists: boolean;
}

const dbOf = (a: TablespaceArgs) => a.maintenance_db ?? 'postgres';
const optStr = (v: string | number | boolean) => String(v);

async function readTablespace(host: Host, a: TablespaceArgs): Promise<TablespaceFacts> {
  const [row] = await queryRows<{ location: string; owner: string; options: string[] | null }>(
    host,
    `SELECT pg_tablespace_location(oid) AS location, pg_get_userbyid(spcowner) AS owner, spcoptions AS options
       FROM pg_tablespace WHERE spcname = ${quoteLiteral(a.name)}`,
    dbOf(a),
    a,
  );
  const dirExists = a.directory ? (await host.stat(a.directory))?.type === 'directory' : false;
  if (!row) return { current: null, dirExists };
  const options = Object.fromEntries(
    (row.options ?? []).map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)]),
  );
  return { current: { location: row.location, owner: row.owner, options }, dirExists };
}

export function planTablespacePresent(
  a: TablespaceArgs,
  f: TablespaceFacts,
  ctx?: Pick<StateCtx, 'id'> & {
    pendingRequisite?: string;
  },
): TablespaceChange[] {
  const id = ctx?.id ?? a.name;
  const dir = a.directory!.replace(/(.)\/+$/, '$1');
  const wantOpts = Object.fromEntries(Object.entries(a.options ?? {}).map(([k, v]) => [k, optStr(v)]));
  if (!f.current) {
    if (!f.dirExists && !ctx?.pendingRequisite)
      throw new StateError(id, `directory ${dir} does not exist (CREATE TABLESPACE needs it, owned by postgres)`);
    return [
      {
        op: 'create',
        target: a.name,
        kind: 'tablespace',
        after: { directory: dir, ...(a.owner ? { owner: a.owner } : {}), ...(a.options ? { options: wantOpts } : {}) },
      },
    ];
  }
  if (f.current.location !== dir)
    throw new StateError(
      id,
      `tablespace ${a.name} is at ${f.current.location}, not ${dir}: PostgreSQL cannot move a tablespace (drop it ` +
        `first)`,
    );
  const out: TablespaceChange[] = [];
  if (a.owner && a.owner !== f.current.owner)
    out.push({ op: 'update', target: 'owner', kind: 'owner', before: f.current.owner, after: a.owner });
  for (const [k, v] of Object.entries(wantOpts))
    if (f.current.options[k] !== v)
      out.push({
        op: f.current.options[k] === undefined ? 'create' : 'update',
        target: `options.${k}`,
        kind: 'option',
        option: k,
        before: f.current.options[k],
        after: v,
      });
  return out;
}

const present_schema = {
  type: 'object',
  required: ['name', 'directory'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 63, pattern: '^(?!pg_)' },
    directory: { type: 'string', pattern: '^/' },
    owner: { type: 'string', minLength: 1 },
    options: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    maintenance_db: { type: 'string', minLength: 1 },
    ...connSchema,
  },
  additionalProperties: false,
};

const setOptions = (o: Record<string, string>) =>
  Object.entries(o)
    .map(([k, v]) => `${quoteIdent(k)} = ${quoteLiteral(v)}`)
    .join(', ');

export const present: StateFunction<TablespaceArgs, TablespaceFacts, TablespaceChange> = {
  schema: present_schema,
  gather: readTablespace,
  plan: (a, f, ctx) => planTablespacePresent(a, f, ctx),
  async apply(host, changes, ctx) {
    const a = ctx.args;
    const ts = quoteIdent(a.name);
    const sql: string[] = [];
    for (const c of changes) {
      if (c.kind === 'tablespace') {
        const after = c.after as { directory: string; owner?: string; options?: Record<string, string> };
        const owner = after.owner ? ` OWNER ${quoteIdent(after.owner)}` : '';
        const opts = after.options && Object.keys(after.options).length ? ` WITH (${setOptions(after.options)})` : '';
        sql.push(`CREATE TABLESPACE ${ts}${owner} LOCATION ${quoteLiteral(after.directory)}${opts};`);
      } else if (c.kind === 'owner') sql.push(`ALTER TABLESPACE ${ts} OWNER TO ${quoteIdent(String(c.after))};`);
      else sql.push(`ALTER TABLESPACE ${ts} SET (${setOptions({ [c.option]: String(c.after) })});`);
    }
    // CREATE TABLESPACE cannot run inside a transaction block: one statement per psql call
    for (const s of sql) await psql(host, s, dbOf(a), a);
  },
};

export const absent: StateFunction<TablespaceArgs, TablespaceFacts, TablespaceChange> = {
  schema: {
    ...present_schema,
    required: ['name'],
    properties: {
      name: present_schema.properties.name,
      maintenance_db: present_schema.properties.maintenance_db,
      ...connSchema,
    },
  },
  gather: readTablespace,
  plan: (a, f) =>
    f.current
      ? [
          {
            op: 'delete',
            target: a.name,
            kind: 'tablespace',
            before: { directory: f.current.location, owner: f.current.owner },
          },
        ]
      : [],
  async apply(host, _changes, ctx) {
    await psql(host, `DROP TABLESPACE ${quoteIdent(ctx.args.name)};`, dbOf(ctx.args), ctx.args);
  },
};
