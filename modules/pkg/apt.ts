// Runs apt-get non-interactively through the Host and turns its failures into one-line messages
// (dpkg locked, package unknown, no candidate, version missing, held packages).
import type { ExecResult, Host } from '../../engine/host/host.js';
import { CommandError, StateError } from '../../engine/errors.js';
import { C_ENV } from './facts.js';

export const APT_ENV = {
  ...C_ENV,
  DEBIAN_FRONTEND: 'noninteractive',
  APT_LISTCHANGES_FRONTEND: 'none',
  NEEDRESTART_MODE: 'a',
};

/** Keep changed configuration files as they are on the host, take new defaults otherwise. */
export const DPKG_OPTS = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];

/** A one-line reason for a failed apt-get/dpkg run, or null when the output is not recognised. */
export function classifyAptFailure(stderr: string, stdout = ''): string | null {
  const text = `${stderr}\n${stdout}`;
  let m = /Could not get lock (\S+?)\.?(?:\s+It is held by process (\d+) \(([^)]+)\))?\s*$/m.exec(text);
  if (m)
    return (
      `dpkg is locked by another process${m[2] ? ` (pid ${m[2]} ${m[3]})` : ''}: ${m[1]}; try again when it ` +
      `has finished`
    );
  if (/Unable to acquire the dpkg frontend lock|Unable to lock the administration directory/.test(text)) {
    return 'dpkg is locked by another process (/var/lib/dpkg/lock-frontend); try again when it has finished';
  }
  m = /Unable to locate package (\S+)/.exec(text);
  if (m) return `package '${m[1]}' not found: no configured repository provides it (is the package index up to date?)`;
  m = /Package '([^']+)' has no installation candidate/.exec(text);
  if (m)
    return `package '${m[1]}' has no installation candidate (virtual, obsolete, or not in the configured repositories)`;
  m = /Version '([^']+)' for '([^']+)' was not found/.exec(text);
  if (m) return `version '${m[1]}' of package '${m[2]}' is not available from the configured repositories`;
  if (/Held packages were changed and -y was used without --allow-change-held-packages/.test(text)) {
    return 'a held package would change: release the hold (hold: False) or pin the held version';
  }
  if (/dpkg was interrupted, you must manually run '([^']+)'/.test(text)) {
    return "dpkg was interrupted earlier: run 'dpkg --configure -a' on the host first";
  }
  m = /^\s*(\S+) : (?:Depends|PreDepends|Conflicts|Breaks): (.+)$/m.exec(text);
  if (m) return `unmet dependencies: ${m[1]} ${m[2]!.trim()}`;
  m =
    /^[WE]: (?:GPG error: )?(.*(?:NO_PUBKEY|EXPKEYSIG|BADSIG|signatures were invalid).*)$/m.exec(text) ??
    /^W: GPG error: (.+)$/m.exec(text);
  if (m) return `signature check failed: ${m[1]!.replace(/\s+/g, ' ')}`;
  m = /^E: The repository '([^']+)' (is not signed|does not have a Release file)/m.exec(text);
  if (m) return `repository '${m[1]}' ${m[2]}`;
  m = /^(?:E|W): (Failed to fetch .+|Some index files failed to download.*)$/m.exec(text);
  if (m) return `download failed: ${m[1]}`;
  return null;
}

/** Throws StateError (recognised) or CommandError (anything else) for a failed run. */
export function failApt(state: string, r: ExecResult, what: string): never {
  const reason = classifyAptFailure(r.stderr, r.stdout);
  if (reason) throw new StateError(state, reason);
  throw new CommandError(r, `${what} failed (exit ${r.exitCode})`);
}

/** apt-get -y -q with the non-interactive options; `lockTimeout` seconds to wait for dpkg's lock. */
export async function aptGet(
  host: Host,
  state: string,
  args: string[],
  o: { lockTimeout?: number } = {},
): Promise<ExecResult> {
  const argv = ['apt-get', '-y', '-q', ...DPKG_OPTS, '-o', `DPkg::Lock::Timeout=${o.lockTimeout ?? 0}`, ...args];
  const r = await host.exec(argv, { env: APT_ENV });
  if (r.exitCode !== 0) failApt(state, r, `apt-get ${args.filter((a) => !a.startsWith('-'))[0] ?? ''}`.trim());
  return r;
}

/** apt-mark hold/unhold. */
export async function aptMark(host: Host, state: string, verb: 'hold' | 'unhold', names: string[]): Promise<void> {
  if (!names.length) return;
  const r = await host.exec(['apt-mark', verb, ...names], { env: APT_ENV });
  if (r.exitCode !== 0) failApt(state, r, `apt-mark ${verb}`);
}
