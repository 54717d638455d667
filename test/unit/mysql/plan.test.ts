// mysql_user / mysql_database / mysql_grants plans as data (args + facts -> changes), the SQL
// pieces they quote, and the client's argv (never a password in it).
import { describe, expect, it } from 'vitest';
import { clientArgv, quoteIdent, quoteLiteral } from '../../../modules/mysql/client.js';
import { planDatabasePresent, sameCharset } from '../../../modules/mysql/database.js';
import { parseGrants, planGrantPresent, privileges, requireSql, targetSql } from '../../../modules/mysql/grants.js';
import { planUserPresent } from '../../../modules/mysql/user.js';

describe('mysql client', () => {
  it('puts the password in MYSQL_PWD, never in argv; localhost is the socket', () => {
    const c = clientArgv({ connection_user: 'salt', connection_pass: 's3cret', connection_charset: 'utf8' });
    expect(c.argv).toEqual(['mysql', '--batch', '--skip-column-names', '--user=salt', '--default-character-set=utf8']);
    expect(c.env).toEqual({ MYSQL_PWD: 's3cret' });
    const tcp = clientArgv({
      connection_host: 'db.example',
      connection_port: 3307,
      connection_default_file: '/r/.my.cnf',
    });
    expect(tcp.argv.slice(0, 2)).toEqual(['mysql', '--defaults-file=/r/.my.cnf']);
    expect(tcp.argv).toContain('--host=db.example');
    expect(clientArgv({ connection_host: 'localhost' }).argv).not.toContain('--host=localhost');
  });

  it('quotes literals and identifiers', () => {
    expect(quoteLiteral("it's \\ here")).toBe("'it\\'s \\\\ here'");
    expect(quoteIdent('we`ird')).toBe('`we``ird`');
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });
});

describe('mysql_user.present plan', () => {
  const a = { name: 'frank', host: 'localhost' };
  it('creates a missing user without showing the password', () => {
    const c = planUserPresent({ ...a, password: 'pw' }, { exists: false });
    expect(c).toEqual([{ op: 'create', target: 'frank@localhost', after: 'user with a password' }]);
    expect(JSON.stringify(c)).not.toContain('pw"');
  });
  it('changes a password that does not match, keeps one that does', () => {
    expect(planUserPresent({ ...a, password: 'pw' }, { exists: true, credentialsMatch: false })).toEqual([
      { op: 'update', target: 'frank@localhost', after: 'password changed' },
    ]);
    expect(planUserPresent({ ...a, password_hash: '*AB' }, { exists: true, credentialsMatch: true })).toEqual([]);
  });
  it('unix_socket and passwordless accounts', () => {
    expect(
      planUserPresent({ ...a, unix_socket: true, allow_passwordless: true }, { exists: true, plugin: 'unix_socket' }),
    ).toEqual([]);
    expect(planUserPresent({ ...a, allow_passwordless: true }, { exists: true, empty: false })).toEqual([
      { op: 'update', target: 'frank@localhost', after: 'password removed' },
    ]);
  });
  it('refuses no password without allow_passwordless, as Salt', () => {
    expect(() => planUserPresent(a, { exists: false })).toThrow(/unless allow_passwordless is True/);
  });
});

describe('mysql_database.present plan', () => {
  it('creates, alters a different charset/collation, treats utf8 as utf8mb3 and empty as unset', () => {
    expect(planDatabasePresent({ name: 'foo', character_set: '', collate: '' }, { exists: false })).toEqual([
      { op: 'create', target: 'foo', after: {} },
    ]);
    const have = { exists: true, character_set: 'utf8mb3', collate: 'utf8mb3_general_ci' };
    expect(planDatabasePresent({ name: 'bar', character_set: 'utf8', collate: 'utf8_general_ci' }, have)).toEqual([]);
    expect(planDatabasePresent({ name: 'bar', character_set: 'latin1' }, have)).toEqual([
      { op: 'update', target: 'character_set', before: 'utf8mb3', after: 'latin1' },
    ]);
    expect(sameCharset('utf8mb4', 'utf8')).toBe(false);
  });
});

describe('mysql_grants', () => {
  const show =
    "GRANT USAGE ON *.* TO `bob`@`%` IDENTIFIED BY PASSWORD '*6C89'\n" +
    'GRANT SELECT, INSERT ON `foo`.* TO `bob`@`%` WITH GRANT OPTION\n' +
    'GRANT ALL PRIVILEGES ON `bar`.`t` TO `bob`@`%`\n';
  const f = { lines: parseGrants(show) };
  const a = { name: 'g', user: 'bob', host: '%' };

  it('reads SHOW GRANTS without the password hash', () => {
    expect(f.lines).toEqual([
      { target: '*.*', privileges: ['USAGE'], grantOption: false },
      { target: 'foo.*', privileges: ['SELECT', 'INSERT'], grantOption: true },
      { target: 'bar.t', privileges: ['ALL PRIVILEGES'], grantOption: false },
    ]);
    expect(JSON.stringify(f)).not.toContain('6C89');
  });

  it('plans only what is missing; ALL PRIVILEGES covers everything', () => {
    expect(planGrantPresent({ ...a, grant: 'select,insert', database: 'foo.*', grant_option: true }, f)).toEqual([]);
    expect(planGrantPresent({ ...a, grant: 'select, update', database: 'foo.*' }, f)).toEqual([
      { op: 'update', target: 'bob@% on foo.*', after: 'UPDATE' },
    ]);
    expect(planGrantPresent({ ...a, grant: 'delete', database: 'bar.t' }, f)).toEqual([]);
    expect(planGrantPresent({ ...a, grant: 'all', database: '*.*', grant_option: true }, { lines: null })).toEqual([
      { op: 'create', target: 'bob@% on *.*', after: 'ALL PRIVILEGES, GRANT OPTION' },
    ]);
  });

  it('quotes the target unless escape is False (Salt then reads %% as %); refuses what is not a privilege', () => {
    expect(targetSql('foo.*')).toBe('`foo`.*');
    expect(targetSql('*.*')).toBe('*.*');
    expect(targetSql('`foo\\_%%`.*', false)).toBe('`foo\\_%`.*');
    expect(() => targetSql("x'.*", false)).toThrow(/quotes/);
    expect(() => privileges('select; drop database x', 'g')).toThrow(/not a privilege/);
    expect(requireSql([{ SSL: true }, { X509: true }, { SUBJECT: "it's" }])).toBe(
      " REQUIRE SSL AND X509 AND SUBJECT 'it\\'s'",
    );
    expect(requireSql([{ SSL: false }])).toBe('');
  });
});
