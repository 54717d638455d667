// mysql_user / mysql_database / mysql_grants against Debian's MariaDB on this machine
// (scripts/ci.d/42-mariadb.sh), through the mysql client as root over the unix socket. Passwords
// must work for a real login and never appear in a plan, a change or an error.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { modules } from '../../../modules/mysql/index.js';
import { checkApply, plan } from '../../support/checkapply.js';

const user = modules.mysql_user!;
const database = modules.mysql_database!;
const grants = modules.mysql_grants!;

const DB = 'brine_m_db';
const USER = "brine_m'user";
const PASSWORD = `pa'ss"w0rd\\;-- DROP USER root; secret`;
const PASSWORD2 = 'second-Secret-value-42';

function sql(q: string): string {
  return execFileSync('mysql', ['--batch', '--skip-column-names'], { input: q, encoding: 'utf8' }).trim();
}

/** A login with the real client over the socket, as USER with `password`: true when it works. */
function login(password: string, query = 'SELECT CURRENT_USER()'): boolean {
  try {
    execFileSync('mysql', ['--batch', `--user=${USER}`, '-e', query], {
      env: { ...process.env, MYSQL_PWD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return true;
  } catch {
    return false;
  }
}

function cleanup(): void {
  sql(`DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS 'brine_m\\'user'@'localhost';`);
}

function noSecret(x: unknown): void {
  const s = JSON.stringify(x) ?? '';
  expect(s).not.toContain('pa\\u0027ss');
  expect(s).not.toContain("pa'ss");
  expect(s).not.toContain(PASSWORD2);
}

describe('mysql modules on a real MariaDB', () => {
  const host = new LocalHost();

  beforeAll(() => {
    try {
      execFileSync('mariadb-admin', ['ping'], { stdio: 'pipe' });
    } catch {
      throw new Error('MariaDB is not running here; run scripts/ci.d/42-mariadb.sh');
    }
    cleanup();
  });
  afterAll(() => cleanup());

  it('mysql_database.present creates with charset and collation, alters a changed collation', async () => {
    const args = { name: DB, character_set: 'utf8mb4', collate: 'utf8mb4_unicode_ci' };
    const r = await checkApply(host, database.present!, args);
    expect(r.planned).toEqual([
      { op: 'create', target: DB, after: { character_set: 'utf8mb4', collate: 'utf8mb4_unicode_ci' } },
    ]);
    expect(r.replanned).toEqual([]);
    const q = `SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${DB}'`;
    expect(sql(q)).toBe('utf8mb4_unicode_ci');
    const again = await checkApply(host, database.present!, { ...args, collate: 'utf8mb4_bin' });
    expect(again.planned).toEqual([
      { op: 'update', target: 'collate', before: 'utf8mb4_unicode_ci', after: 'utf8mb4_bin' },
    ]);
    expect(again.replanned).toEqual([]);
    expect(sql(q)).toBe('utf8mb4_bin');
  });

  it('mysql_user.present creates a user whose password logs in, changes it, never shows it', async () => {
    const args = { name: USER, host: 'localhost', password: PASSWORD };
    const dry = await plan(host, user.present!, args);
    expect(dry).toEqual([{ op: 'create', target: `${USER}@localhost`, after: 'user with a password' }]);
    const r = await checkApply(host, user.present!, args);
    expect(r.planned).toEqual(dry);
    expect(r.replanned).toEqual([]);
    expect(login(PASSWORD)).toBe(true);
    const changed = await checkApply(host, user.present!, { ...args, password: PASSWORD2 });
    expect(changed.planned).toEqual([{ op: 'update', target: `${USER}@localhost`, after: 'password changed' }]);
    expect(changed.replanned).toEqual([]);
    expect(login(PASSWORD2)).toBe(true);
    expect(login(PASSWORD)).toBe(false);
    noSecret([dry, r, changed]);
    expect(user.present!.secretArgs).toContain('password');
  });

  it('mysql_grants.present grants what is missing (the user can then read), absent revokes', async () => {
    sql(`CREATE TABLE ${DB}.t (x INT); INSERT INTO ${DB}.t VALUES (7);`);
    const read = `SELECT x FROM ${DB}.t`;
    expect(login(PASSWORD2, read)).toBe(false);
    const args = { name: 'g', grant: 'select,insert', database: `${DB}.*`, user: USER, host: 'localhost' };
    const r = await checkApply(host, grants.present!, args);
    expect(r.planned).toEqual([{ op: 'update', target: `${USER}@localhost on ${DB}.*`, after: 'SELECT, INSERT' }]);
    expect(r.replanned).toEqual([]);
    expect(login(PASSWORD2, read)).toBe(true);
    const opt = await checkApply(host, grants.present!, { ...args, grant: 'select', grant_option: true });
    expect(opt.planned.map((c) => c.after)).toEqual(['GRANT OPTION']);
    expect(opt.replanned).toEqual([]);
    const rev = await checkApply(host, grants.absent!, { ...args, grant: 'select' });
    expect(rev.planned).toEqual([{ op: 'delete', target: `${USER}@localhost on ${DB}.*`, before: 'SELECT' }]);
    expect(rev.replanned).toEqual([]);
    expect(login(PASSWORD2, read)).toBe(false);
    noSecret([r, opt, rev]);
  });

  it('connecting with a wrong password fails in one line without the password', async () => {
    const args = { name: DB, connection_user: USER, connection_pass: 'wrong-Secret-1234' };
    const err = await plan(host, database.present!, args).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^mysql as brine_m'user failed: .*Access denied/);
    expect(err?.message).not.toContain('wrong-Secret-1234');
  });

  it('mysql_user.absent and mysql_database.absent remove them; a second run changes nothing', async () => {
    const u = await checkApply(host, user.absent!, { name: USER, host: 'localhost' });
    expect(u.planned).toEqual([{ op: 'delete', target: `${USER}@localhost` }]);
    expect(u.replanned).toEqual([]);
    const d = await checkApply(host, database.absent!, { name: DB });
    expect(d.planned).toEqual([{ op: 'delete', target: DB }]);
    expect(d.replanned).toEqual([]);
    expect(sql(`SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${DB}'`)).toBe('0');
    expect(await plan(host, user.absent!, { name: USER, host: 'localhost' })).toEqual([]);
  });
});
