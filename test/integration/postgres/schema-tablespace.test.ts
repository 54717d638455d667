// postgres_schema.present/absent and postgres_database's tablespace against the PostgreSQL 15
// cluster on this machine (pg_ctlcluster): dry run exact, apply, second run no change.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { modules } from '../../../modules/postgres/index.js';
import { checkApply, plan } from '../../support/checkapply.js';

const DB = 'brine_schema_db';
const TS_DIR = '/var/lib/postgresql/brine-ts';

function sql(q: string, db = 'postgres'): string {
  return execFileSync(
    'runuser',
    ['-u', 'postgres', '--', 'psql', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db],
    { input: q, encoding: 'utf8', cwd: '/' },
  ).trim();
}

function cleanup(): void {
  sql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE); DROP ROLE IF EXISTS brine_schema_owner;`);
  sql('DROP TABLESPACE IF EXISTS brine_ts;');
  rmSync(TS_DIR, { recursive: true, force: true });
}

describe('postgres_schema and tablespace on a real PostgreSQL 15', () => {
  const host = new LocalHost();
  beforeAll(() => {
    const up = () => /^15\s+main\s+\d+\s+online/m.test(execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }));
    if (!up()) execFileSync('pg_ctlcluster', ['15', 'main', 'start']);
    if (!up()) throw new Error('PostgreSQL 15/main is not running; run scripts/ci.d/41-postgres.sh');
    cleanup();
    mkdirSync(TS_DIR, { recursive: true });
    const pg = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(TS_DIR, Number(pg), Number(pg));
    sql(`CREATE TABLESPACE brine_ts LOCATION '${TS_DIR}'; CREATE ROLE brine_schema_owner;`);
  });
  afterAll(cleanup);

  it('postgres_database: an existing database is moved to the tablespace given', async () => {
    const db = modules.postgres_database!.present!;
    expect(await plan(host, db, { name: DB })).toEqual([{ op: 'create', kind: 'database', target: DB, after: {} }]);
    await checkApply(host, db, { name: DB });
    expect(await plan(host, db, { name: DB, tablespace: 'brine_ts' })).toEqual([
      { op: 'update', kind: 'tablespace', target: 'tablespace', before: 'pg_default', after: 'brine_ts' },
    ]);
    const r = await checkApply(host, db, { name: DB, tablespace: 'brine_ts' });
    expect(r.replanned).toEqual([]);
    expect(
      sql(`SELECT spcname FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE datname = '${DB}'`),
    ).toBe('brine_ts');
  });

  it('postgres_schema: create with owner, change owner, absent', async () => {
    const present = modules.postgres_schema!.present!;
    const absent = modules.postgres_schema!.absent!;
    const args = { name: 'app', dbname: DB, owner: 'brine_schema_owner' };
    expect(await plan(host, present, args)).toEqual([
      { op: 'create', kind: 'schema', target: 'app', after: { dbname: DB, owner: 'brine_schema_owner' } },
    ]);
    expect((await checkApply(host, present, args)).replanned).toEqual([]);
    expect(sql("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'app'", DB)).toBe(
      'brine_schema_owner',
    );
    expect(await plan(host, present, { ...args, owner: 'postgres' })).toEqual([
      { op: 'update', kind: 'owner', target: 'owner', before: 'brine_schema_owner', after: 'postgres' },
    ]);
    expect((await checkApply(host, present, { ...args, owner: 'postgres' })).replanned).toEqual([]);
    expect(await plan(host, present, { name: 'app', dbname: DB })).toEqual([]);
    await expect(plan(host, present, { name: 'x', dbname: 'brine_no_such_db' })).rejects.toThrow(
      /database 'brine_no_such_db' does not exist/,
    );
    expect((await checkApply(host, absent, { name: 'app', dbname: DB })).planned).toEqual([
      { op: 'delete', kind: 'schema', target: 'app', before: { dbname: DB, owner: 'postgres' } },
    ]);
    expect(sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'", DB)).toBe('0');
    expect(await plan(host, absent, { name: 'app', dbname: DB })).toEqual([]);
  });
});
