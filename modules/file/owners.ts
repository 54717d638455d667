// Which of the owners (users, groups) file states set do not exist on the host: one command for
// every name a batch needs, and only for paths that are created or change owner (a no-op run
// asks nothing). plan turns a missing owner into a MissingFactError, so the dry run fails for
// a user that nothing creates, as the real run's chown would.
import { shell } from '../../engine/host/exec.js';
import type { Host } from '../../engine/host/host.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { StateCtx } from '../../engine/contract.js';
import type { Attrs } from './attrs.js';
import type { PathFacts } from './probe.js';

export interface OwnerFacts {
  missingUser?: string;
  missingGroup?: string;
}

const named = (x: string | undefined): x is string => x !== undefined && !/^\d+$/.test(x);

/** The owner names of `attrs` that the host must know for the planned write/chown. */
export function ownersToCheck(attrs: Attrs, path: PathFacts): { user?: string; group?: string } {
  const out: { user?: string; group?: string } = {};
  if (named(attrs.user) && (path.type === 'missing' || path.user !== attrs.user)) out.user = attrs.user;
  if (named(attrs.group) && (path.type === 'missing' || path.group !== attrs.group)) out.group = attrs.group;
  return out;
}

const CHECK =
  `for a; do case $a in u:*) getent passwd "\${a#u:}" >/dev/null || echo "$a";; g:*) getent group ` +
  `"\${a#g:}" >/dev/null || echo "$a";; esac; done; exit 0`;

/** Owner facts per item, with one command for all of them (none when no name needs checking). */
export async function gatherOwners(host: Host, wants: Array<{ user?: string; group?: string }>): Promise<OwnerFacts[]> {
  const names = new Set<string>();
  for (const w of wants) {
    if (w.user) names.add(`u:${w.user}`);
    if (w.group) names.add(`g:${w.group}`);
  }
  if (!names.size) return wants.map(() => ({}));
  const r = await shell(host, CHECK, [...names], { readOnly: true });
  const missing = new Set(r.stdout.split('\n').filter(Boolean));
  return wants.map((w) => ({
    ...(w.user && missing.has(`u:${w.user}`) ? { missingUser: w.user } : {}),
    ...(w.group && missing.has(`g:${w.group}`) ? { missingGroup: w.group } : {}),
  }));
}

/** Throws when the state would set an owner the host does not have (and, dry run, nothing pending creates). */
export function requireOwners(state: string, f: OwnerFacts, ctx?: Pick<StateCtx, 'pendingProvider'>): void {
  if (f.missingUser && !ctx?.pendingProvider?.('user', f.missingUser))
    throw new MissingFactError('user', f.missingUser, state, `user '${f.missingUser}' does not exist`);
  if (f.missingGroup && !ctx?.pendingProvider?.('group', f.missingGroup))
    throw new MissingFactError('group', f.missingGroup, state, `group '${f.missingGroup}' does not exist`);
}
