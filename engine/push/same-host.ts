// The same host named twice on a push's command line (`web1 root@10.0.0.5 10.0.0.5:22`, a host in
// two groups given together) is pushed once: two runs at once would only queue on its run lock and
// count it twice. Same host: the same user, address and port once ~/.ssh/config is applied, and the
// same vars (two inventory names for one address with different vars stay two runs, as Ansible's).
import { isDeepStrictEqual } from 'node:util';
import { connectionName, resolveTarget } from '../host/ssh-config.js';
import type { PushTarget } from './inventory.js';

function connectKey(t: PushTarget, sshConfigPath?: string): string | undefined {
  try {
    const r = resolveTarget(t.target, sshConfigPath);
    return connectionName({ ...r, alias: r.hostname });
  } catch {
    return undefined; // a bad ssh config entry: the host's connect says so
  }
}

/** The targets with later mentions of a host already listed left out; `said` is told each one left out. */
export function withoutSameHost(
  targets: PushTarget[],
  sshConfigPath: string | undefined,
  said: (msg: string) => void,
): PushTarget[] {
  const seen = new Map<string, PushTarget[]>();
  const out: PushTarget[] = [];
  for (const t of targets) {
    const key = connectKey(t, sshConfigPath);
    const first = key ? seen.get(key)?.find((s) => isDeepStrictEqual(s.vars, t.vars)) : undefined;
    if (first) {
      said(`${t.label}: the same host as ${first.label} (${key}): pushed once`);
      continue;
    }
    if (key) seen.set(key, [...(seen.get(key) ?? []), t]);
    out.push(t);
  }
  return out;
}
