// `brine env activate`: find the env (first source that has one), validate it, write it to
// /run/active-env.yml created 0600, and say where it came from and whether the appliance is
// on standby (appliance:standby: true -> the appliance highstate does nothing).
import { EnvError } from '../errors.js';
import type { Host } from '../host/host.js';
import { ACTIVE_ENV_PATH, checkEnv } from './active.js';
import { isPlainMap } from './merge.js';
import { ENV_SOURCES, findEnv } from './sources/index.js';
import type { EnvIssue } from './validate.js';

export interface ActivateOptions {
  host: Host;
  /** Where to write; default /run/active-env.yml. */
  out?: string;
  vars?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface Activation {
  source: string;
  out: string;
  standby: boolean;
  warnings: EnvIssue[];
}

export function isStandby(tree: Record<string, unknown>): boolean {
  return isPlainMap(tree.appliance) && tree.appliance.standby === true;
}

export async function activateEnv(o: ActivateOptions): Promise<Activation> {
  const found = await findEnv({ host: o.host, vars: o.vars, timeoutMs: o.timeoutMs });
  if (!found) {
    const where = ENV_SOURCES.map((s) => s.name).join(', ');
    throw new EnvError('env', `no env found (looked at: ${where}); create one with \`brine env create DOMAIN\``);
  }
  const env = checkEnv(found.text, found.source, found.source);
  const out = o.out ?? ACTIVE_ENV_PATH;
  await o.host.writeFileAtomic(out, found.text, { mode: 0o600 });
  return { source: found.source, out, standby: isStandby(env.parsed.tree), warnings: env.warnings };
}
