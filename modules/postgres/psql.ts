// psql through a Host, as the postgres system user: `psql -X -A -t -v ON_ERROR_STOP=1` with the
// SQL on stdin (never in argv, so no value shows in a process list). Identifiers and literals are
// quoted here and only here; user input never reaches SQL unquoted.

import { CommandError } from '../../engine/errors.js';
import type { ExecResult, Host } from '../../engine/host/host.js';

/**
 * How to reach the cluster: the OS user psql runs as, and the port (default socket/port).
 * Salt's names `user` and `db_port` are accepted too.
 */
export interface PgConn {
  runas?: string;
  port?: number;
  user?: string;
  db_port?: number;
}

export const connSchema = {
  runas: { type: 'string', minLength: 1 },
  port: { type: 'integer', minimum: 1, maximum: 65535 },
  user: { type: 'string', minLength: 1 },
  db_port: { type: 'integer', minimum: 1, maximum: 65535 },
};

/** The OS user and port, whichever names the args used. */
export function resolveConn(c: PgConn): { runas: string; port?: number } {
  const port = c.port ?? c.db_port;
  return port ? { runas: c.runas ?? c.user ?? 'postgres', port } : { runas: c.runas ?? c.user ?? 'postgres' };
}

/** Groups states that reach the same cluster the same way (for batched reads). */
export function connKey(c: PgConn): string {
  const r = resolveConn(c);
  return `${r.runas}:${r.port ?? ''}`;
}

function noNul(s: string): string {
  if (s.includes('\0')) throw new Error('a NUL byte cannot appear in SQL');
  return s;
}

/** "ident" with embedded quotes doubled. */
export function quoteIdent(s: string): string {
  return `"${noNul(s).replace(/"/g, '""')}"`;
}

/** 'literal' with embedded quotes doubled (standard_conforming_strings is set on for every session). */
export function quoteLiteral(s: string): string {
  return `'${noNul(s).replace(/'/g, "''")}'`;
}

/** Removes what psql echoes of the statement (LINE n: ..., the caret) and any password verifier. */
export function scrubPsqlError(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !/^(LINE \d+:|\s*\^\s*$)/.test(l))
    .join('\n')
    .replace(/(SCRAM-SHA-256\$|md5)[0-9A-Za-z+/=:$]{16,}/g, '<redacted>');
}

/** Runs SQL in database `db`; throws CommandError (scrubbed) on failure. */
export async function psql(host: Host, sql: string, db: string, conn: PgConn = {}): Promise<ExecResult> {
  const { runas, port } = resolveConn(conn);
  const argv = ['psql', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db];
  if (port) argv.push('-p', String(port));
  const r = await host.exec(argv, {
    stdin: `SET standard_conforming_strings = on;\n${sql}\n`,
    user: runas,
    cwd: '/',
    timeoutMs: 300_000,
  });
  if (r.exitCode !== 0) {
    const safe = { ...r, stderr: scrubPsqlError(r.stderr), stdout: '' };
    throw new CommandError(safe, `psql in database ${db} failed`);
  }
  return r;
}

/** Runs a SELECT and returns its rows as objects (one json_agg round trip). */
export async function queryRows<T = Record<string, unknown>>(
  host: Host,
  select: string,
  db: string,
  conn: PgConn = {},
): Promise<T[]> {
  const r = await psql(host, `SELECT coalesce(json_agg(t), '[]'::json) FROM (${select}) t;`, db, conn);
  return JSON.parse(r.stdout.trim() || '[]') as T[];
}
