// Reads the account databases (passwd, group, shadow) through getent in ONE command, so NSS
// sources count, and parses them. Shadow hashes are secrets: they stay in facts, never in changes.
import { CommandError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface Accounts {
  users: Map<string, PasswdEntry>;
  groups: GroupEntry[];
  /** Password hashes of the users asked for (only when asked). */
  shadow: Map<string, string>;
}

export function parsePasswd(out: string): Map<string, PasswdEntry> {
  const m = new Map<string, PasswdEntry>();
  for (const line of out.split('\n')) {
    const f = line.split(':');
    if (f.length < 7) continue;
    m.set(f[0]!, { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), gecos: f[4]!, home: f[5]!, shell: f[6]! });
  }
  return m;
}

export function parseGroups(out: string): GroupEntry[] {
  return out
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4)
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: f[3] ? f[3].split(',').filter(Boolean) : [] }));
}

export function parseShadow(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const f = line.split(':');
    if (f.length >= 2 && f[0]) m.set(f[0], f[1]!);
  }
  return m;
}

const SCRIPT = `
echo @@passwd; [ $# -gt 0 ] && getent passwd "$@"
echo @@group; getent group
echo @@shadow; [ "$BRINE_SHADOW" = 1 ] && [ $# -gt 0 ] && getent shadow "$@"
echo @@end
`;

/** passwd entries of `users` (all when empty and allUsers), every group, and optionally shadow hashes. */
export async function readAccounts(host: Host, users: string[], o: { shadow?: boolean } = {}): Promise<Accounts> {
  const r = await shell(host, SCRIPT, [...new Set(users)], {
    env: { LC_ALL: 'C', BRINE_SHADOW: o.shadow ? '1' : '0' },
  });
  const parts = /@@passwd\n([\s\S]*)@@group\n([\s\S]*)@@shadow\n([\s\S]*)@@end/.exec(r.stdout);
  if (!parts) throw new CommandError(r, 'reading the account databases failed');
  return { users: parsePasswd(parts[1]!), groups: parseGroups(parts[2]!), shadow: parseShadow(parts[3]!) };
}

/** A group by name or numeric id. */
export function findGroup(groups: GroupEntry[], ref: string | number): GroupEntry | undefined {
  return typeof ref === 'number' || /^\d+$/.test(ref)
    ? groups.find((g) => g.gid === Number(ref))
    : groups.find((g) => g.name === ref);
}

export const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]{0,31}\\$?$';
