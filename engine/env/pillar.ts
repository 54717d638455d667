// loadPillar: the pillar of one run = the pillar tree merged with the active env (maps merged,
// lists replaced), and every secret in it for the Redactor.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../host/host.js';
import { EnvError } from '../errors.js';
import { ExecSession, renderOnTarget } from '../render/index.js';
import { DEFAULT_ENV_FILE, loadActiveEnv, type LoadedEnv } from './active.js';
import { mergeTrees } from './merge.js';
import { loadPillarTree } from './pillar-tree.js';
import { parseEnv } from './parse.js';
import { collectSecrets } from './secrets.js';
import type { EnvIssue } from './validate.js';
import type { PlatformProbe } from './sources/platform.js';

export interface LoadPillarOptions {
  /** The pillar tree on the controller (top.sls, *.sls, default-env.yml). */
  pillarDir: string;
  /** A local env.yml that wins over every source (--env). */
  envFile?: string;
  /** The host whose env sources are searched (local, or the push target). */
  host: Host;
  grains: Record<string, unknown>;
  minionId: string;
  /** Environment for $ENV_YML and the metadata URL overrides; default process.env. */
  vars?: Record<string, string | undefined>;
  /** Per metadata request; default 1000 ms. */
  timeoutMs?: number;
  /** The env, already being read (startEnvLoad), so its round trips overlap the grains'. */
  activeEnv?: Promise<LoadedEnv | null>;
  /**
   * May the pillar's public default env (default-env.yml, its secrets are in git) stand in when no
   * env source has one? Only a dry run (--test) or a read-only command says yes; otherwise loading
   * refuses with an EnvError (exit 3). An explicit --env FILE is always used.
   */
  allowDefaultEnv?: boolean;
  /** Serves the env's host reads already made (readGrainsAndEnv); default host.readFile. */
  read?: (path: string) => Promise<Buffer | null>;
  /** The platform probe already read (readGrainsAndEnv). */
  platform?: Promise<PlatformProbe>;
  /** Runs the pillar templates' execution functions on the host (default: a new session). */
  exec?: ExecSession;
}

export interface LoadedPillar {
  pillar: Record<string, unknown>;
  /** Which source the env came from; null: none found, the pillar's default-env.yml is used. */
  envSource: string | null;
  /** Every value to register with the Redactor. */
  secrets: string[];
  /** Unknown keys in the env (not errors). */
  warnings?: EnvIssue[];
  /** Set when the public default env is in use (fallback or given): the warning line to show. */
  defaultEnvWarning?: string;
}

/** The one-line refusal of a real run that found no env (exit 3). */
export const NO_ENV_MESSAGE =
  'no env found ($ENV_YML, /app/env.yml, /run/active-env.yml, cidata, config-2, ec2, gce) and a real run never uses ' +
  'the public default env; ' +
  'create one with `brine env create DOMAIN -o env.yml` and pass `--env env.yml` (or dry-run with --test)';

/**
 * Starts reading the env a run uses (the --env file, else the activated env, else the first env
 * source, else default-env.yml): it needs neither grains nor minion id, so it can run while they
 * are read. Pass the promise to loadPillar as `activeEnv`.
 */
export function startEnvLoad(
  o: Omit<LoadPillarOptions, 'grains' | 'minionId' | 'activeEnv'>,
): Promise<LoadedEnv | null> {
  const p = loadActiveEnv({
    host: o.host,
    envFile: o.envFile,
    useActivated: true,
    pillarDir: o.pillarDir,
    vars: o.vars,
    timeoutMs: o.timeoutMs,
    ...(o.read ? { read: o.read } : {}),
    ...(o.platform ? { platform: o.platform } : {}),
  });
  p.catch(() => {}); // the error surfaces where loadPillar awaits it
  return p;
}

export async function loadPillar(o: LoadPillarOptions): Promise<LoadedPillar> {
  const exec = o.exec ?? new ExecSession(o.host);
  const tree = await renderOnTarget(exec, () =>
    loadPillarTree({ pillarDir: o.pillarDir, grains: o.grains, minionId: o.minionId, exec }),
  );
  const env = await (o.activeEnv ?? startEnvLoad(o));
  if (env && env.source === null && !o.allowDefaultEnv) throw new EnvError('env', NO_ENV_MESSAGE);
  const pillar = env ? mergeTrees(tree, env.parsed.tree) : tree;
  const dflt = env ? defaultEnvWarning(env, o.pillarDir) : undefined;
  return {
    pillar,
    envSource: env?.source ?? null,
    secrets: collectSecrets(pillar),
    warnings: env?.warnings ?? [],
    ...(dflt ? { defaultEnvWarning: dflt } : {}),
  };
}

/** A warning when `env` is the public default env (the fallback) or shares its secrets (a copy). */
function defaultEnvWarning(env: LoadedEnv, pillarDir: string): string | undefined {
  const path = join(pillarDir, DEFAULT_ENV_FILE);
  if (env.source === null)
    return `no env found: using the public default env ${path} (its secrets are in git; dry run only)`;
  if (!existsSync(path)) return undefined;
  let publicSecrets: Set<string>;
  try {
    publicSecrets = new Set(collectSecrets(parseEnv(readFileSync(path, 'utf8'), path).tree));
  } catch {
    return undefined;
  }
  if (!collectSecrets(env.parsed.tree).some((s) => s.length >= 8 && publicSecrets.has(s))) return undefined;
  return `the env holds secrets of the public default env ${path}: they are in git, never use them on a real host`;
}
