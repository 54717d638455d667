// Batched fact reads on the host: one `sh -c` that lstats many paths, sha256sums the regular
// files among them and reads symlink targets, so a no-op over SSH costs one round trip for all
// files of a state function. Paths are prefixed with $BRINE_ROOT (set by LocalHost's --root).

import { shell } from '../../engine/host/exec.js';
import type { Host } from '../../engine/host/host.js';

export type PathType = 'missing' | 'file' | 'directory' | 'symlink' | 'other';

export interface PathFacts {
  type: PathType;
  mode?: number;
  user?: string;
  group?: string;
  uid?: number;
  gid?: number;
  size?: number;
  /** sha256 of a regular file. */
  hash?: string;
  /** Target of a symlink. */
  target?: string;
}

const SEP = '\0@@\0';

// stat and sha256sum get the paths as arguments (they came as this script's own): on a fleet every
// process counts, xargs only steps in if they did not fit (E2BIG: exit 126).
const STAT = `stat --printf '%n\\t%F\\t%a\\t%U\\t%G\\t%u\\t%g\\t%s\\0' --`;
const SHA = 'sha256sum -z --';
const PROBE = `r="\${BRINE_ROOT-}"
printf '%s${SEP.replace(/\0/g, '\\0')}' "$r"
for p; do shift; set -- "$@" "$r$p"; done
[ $# -eq 0 ] || ${STAT} "$@" 2>/dev/null || [ $? -le 1 ] || printf '%s\\0' "$@" | xargs -0 -r ${STAT} 2>/dev/null
printf '${SEP.replace(/\0/g, '\\0')}'
(for p; do shift; [ -f "$p" ] && [ ! -L "$p" ] && set -- "$@" "$p"; done
[ $# -eq 0 ] || ${SHA} "$@" 2>/dev/null || [ $? -le 1 ] || printf '%s\\0' "$@" | xargs -0 -r ${SHA} 2>/dev/null)
printf '${SEP.replace(/\0/g, '\\0')}'
for p; do [ -L "$p" ] && printf '%s\\0%s\\0' "$p" "$(readlink -- "$p")"; done
exit 0`;

function typeFromStat(f: string): PathType {
  if (f.startsWith('regular')) return 'file';
  if (f === 'directory') return 'directory';
  if (f === 'symbolic link') return 'symlink';
  return 'other';
}

function parseStatLine(rec: string): [string, PathFacts] | null {
  const f = rec.split('\t');
  if (f.length < 8) return null;
  const tail = f.splice(f.length - 7, 7);
  const [ftype, mode, user, group, uid, gid, size] = tail as [string, string, string, string, string, string, string];
  return [
    f.join('\t'),
    {
      type: typeFromStat(ftype),
      mode: parseInt(mode, 8),
      user,
      group,
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
    },
  ];
}

/** Facts through the Host's own stat/hash/readlink calls (cheapest on the local host). */
async function probeByCalls(host: Host, paths: string[]): Promise<Map<string, PathFacts>> {
  const out = new Map<string, PathFacts>();
  await Promise.all(
    paths.map(async (p) => {
      const st = await host.lstat(p);
      if (!st) return out.set(p, { type: 'missing' });
      const f: PathFacts = {
        type: st.type,
        mode: st.mode,
        user: st.user,
        group: st.group,
        uid: st.uid,
        gid: st.gid,
        size: st.size,
      };
      if (st.type === 'file') f.hash = (await host.hash(p)) ?? undefined;
      if (st.type === 'symlink') f.target = (await host.readlink(p)) ?? undefined;
      return out.set(p, f);
    }),
  );
  return out;
}

/** Facts for every path (absolute, as states name them): one exec per ~2000 paths (or in-process calls locally). */
export async function probePaths(host: Host, paths: string[]): Promise<Map<string, PathFacts>> {
  const uniq = [...new Set(paths)];
  if (host.inProcess) return probeByCalls(host, uniq);
  const out = new Map<string, PathFacts>();
  for (let i = 0; i < uniq.length; i += 2000) {
    const chunk = uniq.slice(i, i + 2000);
    const r = await shell(host, PROBE, chunk, { readOnly: true });
    const parts = r.stdout.split(SEP);
    if (parts.length < 4) throw new Error(`file probe failed on ${host.name}: ${r.stderr.trim() || 'no output'}`);
    const [root, stats, sums, links] = parts as [string, string, string, string];
    const byReal = new Map<string, PathFacts>();
    for (const rec of stats.split('\0')) {
      const e = rec && parseStatLine(rec);
      if (e) byReal.set(e[0], e[1]);
    }
    for (const rec of sums.split('\0')) {
      const m = /^\\?([0-9a-f]{64}) [ *](.*)$/s.exec(rec);
      if (m) {
        const f = byReal.get(m[2]!);
        if (f) f.hash = m[1];
      }
    }
    const l = links.split('\0');
    for (let j = 0; j + 1 < l.length; j += 2) {
      const f = byReal.get(l[j]!);
      if (f) f.target = l[j + 1];
    }
    for (const p of chunk) out.set(p, byReal.get(root + p) ?? { type: 'missing' });
  }
  return out;
}

export async function probePath(host: Host, path: string): Promise<PathFacts> {
  return (await probePaths(host, [path])).get(path)!;
}

export interface TreeEntry {
  /** Path relative to the tree's root. */
  rel: string;
  type: PathType;
  mode: number;
  user: string;
  group: string;
  hash?: string;
  target?: string;
}

const TREE = `r="\${BRINE_ROOT-}"
[ -d "$r$1" ] || exit 0
cd "$r$1" || exit 1
find . -mindepth 1 -printf '%P\\t%y\\t%m\\t%u\\t%g\\t%l\\0'
printf '${SEP.replace(/\0/g, '\\0')}'
find . -mindepth 1 -type f -print0 | xargs -0 -r sha256sum -z --
exit 0`;

/** Every entry under a directory (not following symlinks), with hashes of regular files. */
export async function probeTree(host: Host, dir: string): Promise<TreeEntry[]> {
  const r = await shell(host, TREE, [dir], { readOnly: true });
  if (r.exitCode !== 0) throw new Error(`cannot list ${dir} on ${host.name}: ${r.stderr.trim()}`);
  if (!r.stdout) return [];
  const [list, sums] = r.stdout.split(SEP) as [string, string | undefined];
  const entries = new Map<string, TreeEntry>();
  for (const rec of list.split('\0')) {
    if (!rec) continue;
    const f = rec.split('\t');
    if (f.length < 6) continue;
    const tail = f.splice(f.length - 5, 5);
    const [y, mode, user, group, target] = tail as [string, string, string, string, string];
    const type: PathType = y === 'f' ? 'file' : y === 'd' ? 'directory' : y === 'l' ? 'symlink' : 'other';
    entries.set(f.join('\t'), {
      rel: f.join('\t'),
      type,
      mode: parseInt(mode, 8),
      user,
      group,
      ...(type === 'symlink' ? { target } : {}),
    });
  }
  for (const rec of (sums ?? '').split('\0')) {
    const m = /^\\?([0-9a-f]{64}) [ *]\.\/(.*)$/s.exec(rec);
    if (m) {
      const e = entries.get(m[2]!);
      if (e) e.hash = m[1];
    }
  }
  return [...entries.values()].sort((a, b) => a.rel.localeCompare(b.rel));
}
