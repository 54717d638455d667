// An env.yml holds the appliance's secrets: one that group or others may read gets a warning
// (not an error: the run goes on), for --env files on the controller and env files on the host.
import { statSync } from 'node:fs';
import type { Host } from '../host/host.js';

const fmt = (m: number): string => `0${(m & 0o777).toString(8)}`;

function message(path: string, mode: number): string {
  const who = mode & 0o070 && mode & 0o007 ? 'group and others' : mode & 0o070 ? 'group' : 'others';
  return `${path} is readable by ${who} (mode ${fmt(mode)}) and holds secrets: chmod 600 ${path}`;
}

/** The warning for the env file a run used, or null. envSource as loadPillar reports it. */
export async function envModeWarning(
  host: Host,
  envFile: string | undefined,
  envSource: string | null,
): Promise<string | null> {
  if (envFile) {
    try {
      const mode = statSync(envFile).mode;
      return mode & 0o044 ? message(envFile, mode) : null;
    } catch {
      return null;
    }
  }
  const path = envSource?.replace(/^ENV_YML:/, '');
  if (!path?.startsWith('/')) return null;
  const st = await host.stat(path).catch(() => null);
  return st && st.mode & 0o044 ? `${host.name}: ${message(path, st.mode)}` : null;
}
