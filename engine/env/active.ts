// Reading the env that applies to a run: an explicit local file, else the activated env on the
// host (/run/active-env.yml), else the first env source that has one, else the shipped default.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvError } from '../errors.js';
import type { Host } from '../host/host.js';
import { parseEnv, type ParsedEnv } from './parse.js';
import { findEnv, type FindEnvOptions } from './sources/index.js';
import { validateEnv, type EnvIssue } from './validate.js';

export const ACTIVE_ENV_PATH = '/run/active-env.yml';
export const DEFAULT_ENV_FILE = 'default-env.yml';

export interface LoadedEnv {
  parsed: ParsedEnv;
  text: string;
  /** Where it came from; null when no source had one and the pillar's default env is used. */
  source: string | null;
  warnings: EnvIssue[];
}

function readLocal(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new EnvError(path, `cannot read env file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Parses and validates env text; `label` names it in errors. */
export function checkEnv(text: string, label: string, source: string | null): LoadedEnv {
  const parsed = parseEnv(text, label);
  return { parsed, text, source, warnings: validateEnv(parsed, label) };
}

export interface ActiveEnvOptions extends Omit<FindEnvOptions, 'host'> {
  host: Host;
  /** A local file that wins over everything (--env). */
  envFile?: string;
  /** Also look at /run/active-env.yml first (highstate); false for activation itself. */
  useActivated?: boolean;
  /** Directory holding default-env.yml, used when nothing is found; none: null is returned. */
  pillarDir?: string;
}

export async function loadActiveEnv(o: ActiveEnvOptions): Promise<LoadedEnv | null> {
  if (o.envFile) return checkEnv(readLocal(o.envFile), o.envFile, `file:${o.envFile}`);
  if (o.useActivated) {
    const data = await (o.read ? o.read(ACTIVE_ENV_PATH) : o.host.readFile(ACTIVE_ENV_PATH));
    if (data !== null) return checkEnv(data.toString('utf8'), `${o.host.name}:${ACTIVE_ENV_PATH}`, ACTIVE_ENV_PATH);
  }
  const found = await findEnv(o);
  if (found) return checkEnv(found.text, found.source, found.source);
  if (!o.pillarDir) return null;
  const dflt = join(o.pillarDir, DEFAULT_ENV_FILE);
  if (!existsSync(dflt)) return null;
  return checkEnv(readLocal(dflt), dflt, null);
}
