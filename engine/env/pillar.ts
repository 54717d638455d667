// loadPillar: the pillar of one run = the pillar tree merged with the active env (maps merged,
// lists replaced), and every secret in it for the Redactor.
import type { Host } from '../host/host.js';
import { ExecSession, renderOnTarget } from '../render/index.js';
import { loadActiveEnv, type LoadedEnv } from './active.js';
import { mergeTrees } from './merge.js';
import { loadPillarTree } from './pillar-tree.js';
import { collectSecrets } from './secrets.js';
import type { EnvIssue } from './validate.js';

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
}

/**
 * Starts reading the env a run uses (the --env file, else the activated env, else the first env
 * source, else default-env.yml): it needs neither grains nor minion id, so it can run while they
 * are read. Pass the promise to loadPillar as `activeEnv`.
 */
export function startEnvLoad(o: Omit<LoadPillarOptions, 'grains' | 'minionId' | 'activeEnv'>): Promise<LoadedEnv | null> {
  const p = loadActiveEnv({
    host: o.host,
    envFile: o.envFile,
    useActivated: true,
    pillarDir: o.pillarDir,
    vars: o.vars,
    timeoutMs: o.timeoutMs,
  });
  p.catch(() => {}); // the error surfaces where loadPillar awaits it
  return p;
}

export async function loadPillar(o: LoadPillarOptions): Promise<LoadedPillar> {
  const exec = o.exec ?? new ExecSession(o.host);
  const tree = await renderOnTarget(exec, () => loadPillarTree({ pillarDir: o.pillarDir, grains: o.grains, minionId: o.minionId, exec }));
  const env = await (o.activeEnv ?? startEnvLoad(o));
  const pillar = env ? mergeTrees(tree, env.parsed.tree) : tree;
  return { pillar, envSource: env?.source ?? null, secrets: collectSecrets(pillar), warnings: env?.warnings ?? [] };
}
