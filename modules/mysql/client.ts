// The mysql client through a Host, with Salt's connection_* arguments: SQL on stdin and the
// password in MYSQL_PWD (never in argv, so no value shows in a process list). Literals and
// identifiers are quoted here and only here; user input never reaches SQL unquoted.
import { CommandError } from '../../engine/errors.js';
import type { ExecResult, Host } from '../../engine/host/host.js';

/** Salt's connection arguments (salt.modules.mysql._connect). */
export interface MysqlConn {
  connection_host?: string;
  connection_port?: number;
  connection_user?: string;
  connection_pass?: string;
  connection_db?: string;
  connection_unix_socket?: string;
  connection_default_file?: string;
  connection_charset?: string;
}

export const connSchema = {
  connection_host: { type: 'string', minLength: 1 },
  connection_port: { type: 'integer', minimum: 1, maximum: 65535 },
  connection_user: { type: 'string', minLength: 1 },
  connection_pass: { type: 'string' },
  connection_db: { type: 'string', minLength: 1 },
  connection_unix_socket: { type: 'string', pattern: '^/' },
  connection_default_file: { type: 'string', pattern: '^/' },
  connection_charset: { type: 'string', pattern: '^[A-Za-z0-9_]+$' },
};

/** Argument names that hold secrets (every mysql state's). */
export const SECRET_ARGS = ['connection_pass', 'password', 'password_hash'];

/** The client's argv (no password in it) and environment for a connection. */
export function clientArgv(c: MysqlConn): { argv: string[]; env: Record<string, string> } {
  const argv = ['mysql'];
  // --defaults-file must come first, as the client demands
  if (c.connection_default_file) argv.push(`--defaults-file=${c.connection_default_file}`);
  argv.push('--batch', '--skip-column-names');
  // localhost is the unix socket, as for the client and Salt; another host is TCP
  if (c.connection_host && c.connection_host !== 'localhost') argv.push(`--host=${c.connection_host}`);
  if (c.connection_port) argv.push(`--port=${c.connection_port}`);
  if (c.connection_unix_socket) argv.push(`--socket=${c.connection_unix_socket}`);
  if (c.connection_user) argv.push(`--user=${c.connection_user}`);
  if (c.connection_charset) argv.push(`--default-character-set=${c.connection_charset}`);
  if (c.connection_db) argv.push(`--database=${c.connection_db}`);
  const env: Record<string, string> = {};
  if (c.connection_pass) env.MYSQL_PWD = c.connection_pass;
  return { argv, env };
}

/** Groups states that reach the same server the same way. */
export function connKey(c: MysqlConn): string {
  return JSON.stringify(clientArgv(c));
}

function noNul(s: string): string {
  if (s.includes('\0')) throw new Error('a NUL byte cannot appear in SQL');
  return s;
}

/** 'literal' with backslashes and quotes escaped (the server's default sql_mode). */
export function quoteLiteral(s: string): string {
  return `'${noNul(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `ident` with embedded backticks doubled. */
export function quoteIdent(s: string): string {
  return `\`${noNul(s).replace(/`/g, '``')}\``;
}

/** 'user'@'host' */
export const account = (user: string, host: string): string => `${quoteLiteral(user)}@${quoteLiteral(host)}`;

/** Runs SQL; throws CommandError (the client's message, never the SQL) on failure. */
export async function mysql(host: Host, sql: string, c: MysqlConn, readOnly = false): Promise<ExecResult> {
  const { argv, env } = clientArgv(c);
  const r = await host.exec(argv, { stdin: `${sql}\n`, env, cwd: '/', timeoutMs: 300_000, readOnly });
  if (r.exitCode !== 0) throw new CommandError({ ...r, stdout: '' }, `mysql as ${c.connection_user ?? 'root'} failed`);
  return r;
}

/** Rows of a SELECT as arrays of column texts (tab-separated batch output). */
export async function rows(host: Host, sql: string, c: MysqlConn): Promise<string[][]> {
  const r = await mysql(host, sql, c, true);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}
