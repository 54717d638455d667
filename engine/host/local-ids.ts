// Resolves user and group names <-> numeric ids for the local host from /etc/passwd and
// /etc/group. The parse is cached and re-read when either file changes (a run may create users).

import { statSync, readFileSync } from 'node:fs';

interface IdTable {
  mtime: number;
  byName: Map<string, number>;
  byId: Map<number, string>;
  homes: Map<string, string>;
}

const tables = new Map<string, IdTable>();

function load(file: string): IdTable {
  let mtime = -1;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    /* missing: empty table */
  }
  const cached = tables.get(file);
  if (cached && cached.mtime === mtime) return cached;
  const t: IdTable = { mtime, byName: new Map(), byId: new Map(), homes: new Map() };
  if (mtime >= 0) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length < 3 || !f[0]) continue;
      const id = Number(f[2]);
      if (!Number.isInteger(id)) continue;
      t.byName.set(f[0], id);
      if (!t.byId.has(id)) t.byId.set(id, f[0]);
      if (f[5]) t.homes.set(f[0], f[5]);
    }
  }
  tables.set(file, t);
  return t;
}

export function userName(uid: number): string {
  return load('/etc/passwd').byId.get(uid) ?? String(uid);
}

export function groupName(gid: number): string {
  return load('/etc/group').byId.get(gid) ?? String(gid);
}

export function userHome(name: string): string | undefined {
  return load('/etc/passwd').homes.get(name);
}

/** Numeric uid for a name or numeric string; undefined when unknown. */
export function uidOf(user: string): number | undefined {
  if (/^\d+$/.test(user)) return Number(user);
  return load('/etc/passwd').byName.get(user);
}

export function gidOf(group: string): number | undefined {
  if (/^\d+$/.test(group)) return Number(group);
  return load('/etc/group').byName.get(group);
}
