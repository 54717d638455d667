// postgres modules' plan as data, SQL quoting, password verifiers, schemas.
import { createHash } from 'node:crypto';
import { createAjv } from '../../../engine/ajv.js';
import { describe, expect, it } from 'vitest';
import { createDatabaseSql, planDatabasePresent, sameLocale } from '../../../modules/postgres/database.js';
import { planExtensionPresent } from '../../../modules/postgres/extension.js';
import { modules } from '../../../modules/postgres/index.js';
import { scramVerifier, verifierMatches } from '../../../modules/postgres/password.js';
import { quoteIdent, quoteLiteral, scrubPsqlError } from '../../../modules/postgres/psql.js';
import { planUserPresent } from '../../../modules/postgres/user.js';

describe('SQL quoting', () => {
  it('doubles quotes and refuses NUL', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral(`it's \\ fine`)).toBe(`'it''s \\ fine'`);
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });
  it('creates a database with every option quoted, using template0 for a locale', () => {
    expect(
      createDatabaseSql({
        name: 'e"cs',
        owner: 'app',
        encoding: 'UTF8',
        lc_collate: 'de_DE.utf8',
        lc_ctype: 'de_DE.utf8',
      }),
    ).toBe(
      `CREATE DATABASE "e""cs" OWNER "app" ENCODING 'UTF8' LC_COLLATE 'de_DE.utf8' LC_CTYPE 'de_DE.utf8' TEMPLATE ` +
        `"template0";`,
    );
    expect(createDatabaseSql({ name: 'x' })).toBe('CREATE DATABASE "x";');
  });
  it('scrubs statement echoes and verifiers from psql errors', () => {
    const v = scramVerifier('pw');
    const err =
      `ERROR:  syntax error at or near "x"\nLINE 1: ALTER ROLE "a" WITH PASSWORD '${v}' x;\n              ` +
      `                               ^\n`;
    const out = scrubPsqlError(err);
    expect(out).toContain('syntax error');
    expect(out).not.toContain(v.slice(0, 30));
    expect(scrubPsqlError(`detail ${v}`)).toBe('detail <redacted>');
  });
});

describe('password verifiers', () => {
  it('a SCRAM verifier matches its password only', () => {
    const v = scramVerifier('s3cret');
    expect(v).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(verifierMatches(v, 's3cret', 'any')).toBe(true);
    expect(verifierMatches(v, 's3cres', 'any')).toBe(false);
    expect(scramVerifier('a', Buffer.alloc(16))).toBe(scramVerifier('a', Buffer.alloc(16)));
  });
  it('an md5 verifier is md5(password + role)', () => {
    const v = `md5${createHash('md5').update('pwalice').digest('hex')}`;
    expect(verifierMatches(v, 'pw', 'alice')).toBe(true);
    expect(verifierMatches(v, 'pw', 'bob')).toBe(false);
    expect(verifierMatches(null, 'pw', 'alice')).toBe(false);
    expect(verifierMatches('plain', 'pw', 'alice')).toBe(null);
  });
});

describe('postgres_user.present plan', () => {
  const none = { exists: false, flags: {}, hasPassword: false, passwordMatches: null };
  const have = {
    exists: true,
    flags: { login: true, superuser: false, createdb: false, createrole: false, inherit: true, replication: false },
    hasPassword: true,
    passwordMatches: true,
  };
  it('creates a login role and says only that a password is set', () => {
    const c = planUserPresent({ name: 'app', password: 'hunter2-secret', createdb: true }, none);
    expect(c).toEqual([
      { op: 'create', kind: 'role', target: 'app', after: { createdb: true, login: true, password: 'set' } },
    ]);
    expect(JSON.stringify(c)).not.toContain('hunter2');
  });
  it("accepts Salt's createroles for createrole", () => {
    expect(planUserPresent({ name: 'app', createroles: true }, have)).toEqual([
      { op: 'update', kind: 'flag', target: 'createrole', flag: 'createrole', before: false, after: true },
    ]);
  });
  it('compares only the flags the args set, and the password through the verifier', () => {
    expect(planUserPresent({ name: 'app', password: 'x' }, have)).toEqual([]);
    expect(planUserPresent({ name: 'app', superuser: true, login: true }, have)).toEqual([
      { op: 'update', kind: 'flag', target: 'superuser', flag: 'superuser', before: false, after: true },
    ]);
    expect(planUserPresent({ name: 'app', password: 'x' }, { ...have, passwordMatches: false })).toEqual([
      { op: 'update', kind: 'password', target: 'password', before: 'set (differs)', after: 'set' },
    ]);
    expect(
      planUserPresent({ name: 'app', password: 'x' }, { ...have, hasPassword: false, passwordMatches: false }),
    ).toEqual([{ op: 'update', kind: 'password', target: 'password', before: 'not set', after: 'set' }]);
  });
});

describe('postgres_database.present plan', () => {
  const have = { exists: true, owner: 'app', encoding: 'UTF8', lc_collate: 'de_DE.utf8', lc_ctype: 'de_DE.utf8' };
  it('creates, changes the owner, and treats locale spellings as equal', () => {
    expect(planDatabasePresent({ name: 'ecs', owner: 'app' }, { exists: false })).toEqual([
      { op: 'create', kind: 'database', target: 'ecs', after: { owner: 'app' } },
    ]);
    expect(
      planDatabasePresent({ name: 'ecs', owner: 'app', encoding: 'utf-8', lc_collate: 'de_DE.UTF-8' }, have),
    ).toEqual([]);
    expect(planDatabasePresent({ name: 'ecs', owner: 'other' }, have)).toEqual([
      { op: 'update', kind: 'owner', target: 'owner', before: 'app', after: 'other' },
    ]);
    expect(sameLocale('de_DE.UTF-8@euro', 'de_DE.utf8@euro')).toBe(true);
    expect(sameLocale('de_DE.utf8', 'en_US.utf8')).toBe(false);
  });
  it('an encoding or locale that differs is a failure that says why', () => {
    expect(() => planDatabasePresent({ name: 'ecs', encoding: 'LATIN1' }, have)).toThrow(
      /ecs: database exists but its encoding is UTF8, wanted LATIN1: this cannot be changed in place/,
    );
    expect(() => planDatabasePresent({ name: 'ecs', lc_ctype: 'C' }, have)).toThrow(
      /lc_ctype is de_DE\.utf8, wanted C/,
    );
  });
});

describe('postgres_extension.present plan', () => {
  it('creates, moves, updates; an unavailable extension fails', () => {
    expect(
      planExtensionPresent({ name: 'pg_trgm', db: 'ecs' }, { dbExists: true, available: true, installed: null }),
    ).toEqual([{ op: 'create', kind: 'extension', target: 'pg_trgm', after: { db: 'ecs' } }]);
    expect(
      planExtensionPresent({ name: 'pg_trgm', db: 'ecs' }, { dbExists: false, available: true, installed: null }),
    ).toHaveLength(1);
    const installed = { dbExists: true, available: true, installed: { version: '1.6', schema: 'public' } };
    expect(planExtensionPresent({ name: 'pg_trgm', schema: 'public', version: '1.6' }, installed)).toEqual([]);
    expect(planExtensionPresent({ name: 'pg_trgm', schema: 'ext' }, installed)).toEqual([
      { op: 'update', kind: 'schema', target: 'schema', before: 'public', after: 'ext' },
    ]);
    expect(planExtensionPresent({ name: 'pg_trgm', maintenance_db: 'ecs', ext_version: '1.5' }, installed)).toEqual([
      { op: 'update', kind: 'version', target: 'version', before: '1.6', after: '1.5' },
    ]);
    expect(() => planExtensionPresent({ name: 'nope' }, { dbExists: true, available: false, installed: null })).toThrow(
      /not available/,
    );
  });
});

describe('postgres schemas', () => {
  const ajv = createAjv();
  it('accept good arguments and reject unknown or malformed ones', () => {
    expect(
      ajv.validate(modules.postgres_user!.present!.schema, { name: 'app', password: 'x', createdb: true, port: 5432 }),
    ).toBe(true);
    expect(ajv.validate(modules.postgres_user!.present!.schema, { name: 'app', passwd: 'x' })).toBe(false);
    expect(ajv.validate(modules.postgres_user!.present!.schema, { name: 'app', superuser: 'yes' })).toBe(false);
    expect(
      ajv.validate(modules.postgres_database!.present!.schema, {
        name: 'ecs',
        lc_collate: 'de_DE.utf8',
        template: 'template0',
      }),
    ).toBe(true);
    expect(
      ajv.validate(modules.postgres_extension!.present!.schema, { name: 'pgcrypto', db: 'ecs', schema: 'public' }),
    ).toBe(true);
    // Salt's argument names
    expect(
      ajv.validate(modules.postgres_user!.present!.schema, {
        name: 'app',
        createroles: true,
        encrypted: 'md5',
        user: 'postgres',
        db_port: 5432,
      }),
    ).toBe(true);
    expect(
      ajv.validate(modules.postgres_extension!.present!.schema, {
        name: 'pg_trgm',
        maintenance_db: 'ecs',
        ext_version: '1.6',
      }),
    ).toBe(true);
  });
});
