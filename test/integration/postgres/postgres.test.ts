// postgres_user / postgres_database / postgres_extension against the PostgreSQL 15 cluster on
// this machine (pg_ctlcluster), run as the postgres system user through the Host. The password
// must work for a real TCP login and never appear in any plan, change or error.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { modules } from '../../../modules/postgres/index.js';
import { testCtx } from '../../support/checkapply.js';
import { checkApply, plan } from '../../support/checkapply.js';

const user = modules.postgres_user!;
const database = modules.postgres_database!;
const extension = modules.postgres_extension!;

const ROLE = 'brine_h7 "odd" role';
const DB = 'brine_h7_db';
const PASSWORD = `pa'ss"w0rd;-- DROP ROLE postgres; \\ secret`;
const PASSWORD2 = 'second-Secret-value-42';

function sql(q: string, db = 'postgres'): string {
  return execFileSync(
    'runuser',
    ['-u', 'postgres', '--', 'psql', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db],
    { input: q, encoding: 'utf8', cwd: '/' },
  ).trim();
}

/** A TCP login with a real client, as `role` with `password`: true when it works. */
function tcpLogin(role: string, password: string, db = 'postgres'): boolean {
  try {
    const out = execFileSync(
      'psql',
      ['-X', '-A', '-t', '-h', '127.0.0.1', '-U', role, '-d', db, '-c', 'SELECT current_user'],
      {
        env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return out.trim() === role;
  } catch {
    return false;
  }
}

function ensurePostgres(): void {
  const status = execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  if (!/^15\s+main\s+\d+\s+online/m.test(status))
    execFileSync('pg_ctlcluster', ['15', 'main', 'start'], { stdio: 'inherit' });
  if (!/^15\s+main\s+\d+\s+online/m.test(execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }))) {
    throw new Error('PostgreSQL 15/main is not running; run scripts/ci.d/41-postgres.sh');
  }
}

function cleanup(): void {
  sql(
    `DROP DATABASE IF EXISTS ${DB} WITH (FORCE); DROP ROLE IF EXISTS "brine_h7 ""odd"" role"; DROP ROLE IF EXISTS ` +
      `brine_h7_owner2;`,
  );
}

function noSecret(x: unknown): void {
  const s = JSON.stringify(x) ?? '';
  expect(s).not.toContain(PASSWORD);
  expect(s).not.toContain(PASSWORD2);
  expect(s).not.toContain('pa\\u0027ss');
  expect(s).not.toMatch(/SCRAM-SHA-256\$|md5[0-9a-f]{32}/);
}

describe('postgres modules on a real PostgreSQL 15', () => {
  const host = new LocalHost();

  beforeAll(() => {
    ensurePostgres();
    cleanup();
  });
  afterAll(() => cleanup());

  it('creates a login role with flags and a password that works over TCP and is never shown', async () => {
    const args = { name: ROLE, password: PASSWORD, createdb: true, superuser: false };
    expect(user.present!.secretArgs).toEqual(['password']);
    const dry = await plan(host, user.present!, args);
    expect(dry).toEqual([
      {
        op: 'create',
        kind: 'role',
        target: ROLE,
        after: { createdb: true, superuser: false, login: true, password: 'set' },
      },
    ]);
    expect(sql(`SELECT count(*) FROM pg_roles WHERE rolname = 'brine_h7 "odd" role'`)).toBe('0');

    const r = await checkApply(host, user.present!, args);
    expect(r.planned).toEqual(dry);
    expect(r.replanned).toEqual([]);
    noSecret(r);
    expect(sql(`SELECT rolcanlogin, rolcreatedb, rolsuper FROM pg_roles WHERE rolname = 'brine_h7 "odd" role'`)).toBe(
      't|t|f',
    );
    expect(tcpLogin(ROLE, PASSWORD)).toBe(true);
    expect(tcpLogin(ROLE, 'wrong-password')).toBe(false);
    // The server never saw the clear password: it stored the verifier brine computed.
    expect(
      sql(`SELECT rolpassword LIKE 'SCRAM-SHA-256$4096:%' FROM pg_authid WHERE rolname = 'brine_h7 "odd" role'`),
    ).toBe('t');
  });

  it('changes flags and the password, showing neither the old nor the new password', async () => {
    const args = { name: ROLE, password: PASSWORD2, createdb: false, createrole: true };
    const dry = await plan(host, user.present!, args);
    expect(dry).toEqual([
      { op: 'update', kind: 'flag', target: 'createdb', flag: 'createdb', before: true, after: false },
      { op: 'update', kind: 'flag', target: 'createrole', flag: 'createrole', before: false, after: true },
      { op: 'update', kind: 'password', target: 'password', before: 'set (differs)', after: 'set' },
    ]);
    expect(tcpLogin(ROLE, PASSWORD)).toBe(true);
    const r = await checkApply(host, user.present!, args);
    expect(r.replanned).toEqual([]);
    noSecret(r);
    expect(tcpLogin(ROLE, PASSWORD2)).toBe(true);
    expect(tcpLogin(ROLE, PASSWORD)).toBe(false);
    expect(sql(`SELECT rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'brine_h7 "odd" role'`)).toBe('f|t');
  });

  it('recognises a password stored as an md5 verifier, and batches role reads', async () => {
    sql(`SET password_encryption = 'md5'; ALTER ROLE "brine_h7 ""odd"" role" PASSWORD '${PASSWORD2}';`);
    expect(sql(`SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname = 'brine_h7 "odd" role'`)).toBe('md5');
    expect(await plan(host, user.present!, { name: ROLE, password: PASSWORD2 })).toEqual([]);
    expect(await plan(host, user.present!, { name: ROLE, password: PASSWORD })).toEqual([
      { op: 'update', kind: 'password', target: 'password', before: 'set (differs)', after: 'set' },
    ]);
    // encrypted: md5 stores an md5 verifier (Salt's argument names for the OS user and port work too).
    const md5 = await checkApply(host, user.present!, {
      name: ROLE,
      password: PASSWORD,
      encrypted: 'md5' as const,
      user: 'postgres',
      db_port: 5432,
    });
    expect(md5.planned).toEqual([
      { op: 'update', kind: 'password', target: 'password', before: 'set (differs)', after: 'set' },
    ]);
    expect(md5.replanned).toEqual([]);
    noSecret(md5);
    expect(sql(`SELECT rolpassword FROM pg_authid WHERE rolname = 'brine_h7 "odd" role'`)).toMatch(/^md5[0-9a-f]{32}$/);
    sql(`SET password_encryption = 'md5'; ALTER ROLE "brine_h7 ""odd"" role" PASSWORD '${PASSWORD2}';`);

    const items = [
      { name: ROLE, password: PASSWORD2 },
      { name: 'postgres', superuser: true },
      { name: 'brine_h7_nobody' },
    ].map((args) => ({ args, ctx: testCtx(args) }));
    const facts = await user.present!.gatherMany!(host, items);
    expect(facts.map((f: { exists: boolean }) => f.exists)).toEqual([true, true, false]);
    expect(facts[0].passwordMatches).toBe(true);
    expect(user.present!.plan(items[1]!.args, facts[1], items[1]!.ctx)).toEqual([]);
  });

  it(
    'creates a database with owner, encoding and de_DE locale; changes the owner; refuses a locale ' + 'change',
    async () => {
      const args = {
        name: DB,
        owner: ROLE,
        encoding: 'UTF8',
        lc_collate: 'de_DE.utf8',
        lc_ctype: 'de_DE.utf8',
        template: 'template0',
      };
      const dry = await plan(host, database.present!, args);
      expect(dry).toEqual([
        {
          op: 'create',
          kind: 'database',
          target: DB,
          after: {
            owner: ROLE,
            encoding: 'UTF8',
            lc_collate: 'de_DE.utf8',
            lc_ctype: 'de_DE.utf8',
            template: 'template0',
          },
        },
      ]);
      expect(sql(`SELECT count(*) FROM pg_database WHERE datname = '${DB}'`)).toBe('0');
      const r = await checkApply(host, database.present!, args);
      expect(r.replanned).toEqual([]);
      expect(
        sql(
          `SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database ` +
            `WHERE ` +
            `datname = '${DB}'`,
        ),
      ).toBe(`${ROLE}|UTF8|de_DE.utf8|de_DE.utf8`);
      // German collation is really in effect: ä sorts with a, not after z.
      expect(sql(`SELECT string_agg(x, '' ORDER BY x) FROM (VALUES ('z'), ('ä'), ('b')) v(x)`, DB)).toBe('äbz');
      // The same locale spelled differently is no change.
      expect(await plan(host, database.present!, { ...args, lc_collate: 'de_DE.UTF-8', encoding: 'utf-8' })).toEqual(
        [],
      );

      sql('CREATE ROLE brine_h7_owner2');
      const own = await checkApply(host, database.present!, { name: DB, owner: 'brine_h7_owner2' });
      expect(own.planned).toEqual([
        { op: 'update', kind: 'owner', target: 'owner', before: ROLE, after: 'brine_h7_owner2' },
      ]);
      expect(own.replanned).toEqual([]);

      const items = [{ name: DB }, { name: 'postgres' }, { name: 'brine_h7_nodb' }].map((args) => ({
        args,
        ctx: testCtx(args),
      }));
      const many = await database.present!.gatherMany!(host, items);
      for (const [i, { args, ctx }] of items.entries())
        expect(many[i]).toEqual(await database.present!.gather(host, args, ctx));
      expect(many.map((f: { exists: boolean }) => f.exists)).toEqual([true, true, false]);

      await expect(plan(host, database.present!, { name: DB, lc_collate: 'C' })).rejects.toThrow(
        /lc_collate is de_DE\.utf8, wanted C.*cannot be changed in place/,
      );
    },
  );

  it('installs an extension in a database and schema, moves it, and removes it', async () => {
    const args = { name: 'pgcrypto', db: DB };
    expect(await plan(host, extension.present!, args)).toEqual([
      { op: 'create', kind: 'extension', target: 'pgcrypto', after: { db: DB } },
    ]);
    const r = await checkApply(host, extension.present!, args);
    expect(r.replanned).toEqual([]);
    expect(sql(`SELECT encode(digest('abc', 'sha256'), 'hex')`, DB)).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );

    sql('CREATE SCHEMA ext', DB);
    const moved = await checkApply(host, extension.present!, { ...args, schema: 'ext' });
    expect(moved.planned).toEqual([{ op: 'update', kind: 'schema', target: 'schema', before: 'public', after: 'ext' }]);
    expect(moved.replanned).toEqual([]);
    expect(
      sql(
        `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'pgcrypto'`,
        DB,
      ),
    ).toBe('ext');

    await expect(plan(host, extension.present!, { name: 'no_such_extension', db: DB })).rejects.toThrow(
      /not available/,
    );

    const gone = await checkApply(host, extension.absent!, args);
    expect(gone.planned).toHaveLength(1);
    expect(gone.replanned).toEqual([]);
    expect(sql(`SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'`, DB)).toBe('0');
  });

  it('drops the database and the role; errors from psql never echo a password', async () => {
    const db = await checkApply(host, database.absent!, { name: DB });
    expect(db.planned).toEqual([{ op: 'delete', kind: 'database', target: DB, before: { owner: 'brine_h7_owner2' } }]);
    expect(db.replanned).toEqual([]);
    expect(sql(`SELECT count(*) FROM pg_database WHERE datname = '${DB}'`)).toBe('0');

    // A failing statement that carries the password (ALTER of a role that is gone) must not leak it.
    const err = await user
      .present!.apply(host, [{ op: 'update', kind: 'password', target: 'password' }], {
        ...testCtx({ name: 'brine_h7_vanished', password: PASSWORD }),
        facts: { exists: true, flags: {}, hasPassword: true, passwordMatches: false },
      })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/role "brine_h7_vanished" does not exist/);
    noSecret((err as Error).message);

    const r = await checkApply(host, user.absent!, { name: ROLE });
    expect(r.planned).toEqual([{ op: 'delete', kind: 'role', target: ROLE }]);
    expect(r.replanned).toEqual([]);
    expect(tcpLogin(ROLE, PASSWORD2)).toBe(false);
    expect(sql(`SELECT count(*) FROM pg_roles WHERE rolname = 'brine_h7 "odd" role'`)).toBe('0');
  });
});
