// Mode/owner/group: planned as changes of kind (and target) 'mode', 'user', 'group', applied with
// chmod/chown through the host (paths prefixed with $BRINE_ROOT).

import { mustExec } from '../../engine/host/exec.js';
import type { Host } from '../../engine/host/host.js';
import { type AttrChange, isAttrChange } from './changes.js';
import { fmtMode } from './mode.js';
import type { PathFacts } from './probe.js';

export interface Attrs {
  mode?: number;
  user?: string;
  group?: string;
}

function sameOwner(want: string, name: string | undefined, id: number | undefined): boolean {
  return /^\d+$/.test(want) ? Number(want) === id : want === name;
}

/** Changes to bring an existing path's attributes to `want` (unset attributes are left alone). */
export function attrChanges(path: string, have: PathFacts, want: Attrs): AttrChange[] {
  const out: AttrChange[] = [];
  if (want.user !== undefined && !sameOwner(want.user, have.user, have.uid))
    out.push({ op: 'update', kind: 'user', target: 'user', before: have.user, after: want.user });
  if (want.group !== undefined && !sameOwner(want.group, have.group, have.gid))
    out.push({ op: 'update', kind: 'group', target: 'group', before: have.group, after: want.group });
  if (want.mode !== undefined && have.type !== 'symlink' && want.mode !== have.mode)
    out.push({ op: 'update', kind: 'mode', target: 'mode', before: fmtMode(have.mode), after: fmtMode(want.mode) });
  void path;
  return out;
}

/** The attributes of `want` that the planned changes set (what applyAttrs is then given). */
export function plannedAttrs(changes: ReadonlyArray<{ kind?: string }>, want: Attrs): Attrs {
  const out: Attrs = {};
  for (const c of changes.filter(isAttrChange)) (out as Record<string, unknown>)[c.kind] = want[c.kind];
  return out;
}

// Under --root the host resolves the path's links inside the root first (Host.resolvePath), so the
// command follows no link out of it; the last component too, unless the command acts on a link
// itself (chown -h, cp -a).
const inRoot = async (host: Host, path: string, argv: string[]): Promise<string> =>
  host.resolvePath ? host.resolvePath(path, !argv.includes('-h') && !argv.includes('-a')) : path;

/** Runs argv with the path (under $BRINE_ROOT when set) appended as the last argument. */
export async function onPath(host: Host, argv: string[], path: string, what?: string) {
  return mustExec(
    host,
    ['sh', '-c', 'p="${BRINE_ROOT-}$1"; shift; exec "$@" "$p"', 'sh', await inRoot(host, path, argv), ...argv],
    undefined,
    what,
  );
}

/** Runs argv with two paths (each under $BRINE_ROOT when set) appended. */
export async function onPaths(host: Host, argv: string[], a: string, b: string, what?: string) {
  return mustExec(
    host,
    [
      'sh',
      '-c',
      'a="${BRINE_ROOT-}$1"; b="${BRINE_ROOT-}$2"; shift 2; exec "$@" "$a" "$b"',
      'sh',
      await inRoot(host, a, argv),
      await inRoot(host, b, argv),
      ...argv,
    ],
    undefined,
    what,
  );
}

/** Applies attributes (chown before chmod: chown clears setuid bits). */
export async function applyAttrs(
  host: Host,
  path: string,
  want: Attrs,
  o: { symlink?: boolean; recursive?: boolean } = {},
): Promise<void> {
  const flags = [o.symlink ? '-h' : '', o.recursive ? '-R' : ''].filter(Boolean);
  if (want.user !== undefined || want.group !== undefined) {
    const spec = `${want.user ?? ''}${want.group !== undefined ? ':' + want.group : ''}`;
    await onPath(host, ['chown', ...flags, spec, '--'], path, `chown ${spec} ${path}`);
  }
  if (want.mode !== undefined && !o.symlink) {
    await onPath(
      host,
      ['chmod', ...(o.recursive ? ['-R'] : []), want.mode.toString(8), '--'],
      path,
      `chmod ${fmtMode(want.mode)} ${path}`,
    );
  }
}
