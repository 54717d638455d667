// One host of a push: connect, read grains and the env's files (one round trip), pillar from the
// target's env (or the local --env file) plus inventory vars, compile and apply. Never throws: every
// outcome, including "unreachable", is a value, so one host cannot stop the others.
import deepmerge from 'deepmerge';
import { BrineError, TransportError } from '../errors.js';
import { loadPillar, startEnvLoad } from '../env/pillar.js';
import { withPillarOverride } from '../env/override.js';
import { collectSecrets } from '../env/secrets.js';
import type { Grains } from '../grains.js';
import { readGrainsAndEnv, DRIVE_LABELS } from '../grains-and-env.js';
import { ACTIVE_ENV_PATH } from '../env/active.js';
import { APP_ENV_PATH } from '../env/sources/file.js';
import { connectSsh, type SshHost, type SshOptions } from '../host/ssh.js';
import { execSession, runStates } from '../pipeline.js';
import type { Redactor } from '../redact.js';
import { exitCodeFor, summarize, type Summary } from '../report/index.js';
import type { RunReport } from '../run/types.js';
import type { PushTarget } from './inventory.js';
import type { LockOptions } from '../host/run-lock.js';
import type { RunControl } from '../run/control.js';
import type { StateRegistry } from '../contract.js';
import type { HostProgress } from '../progress/types.js';

/**
 * refused: `push --plan` (engine/plan/push.ts): the plan no longer matches; skipped: another host's plan
 * did not match, or a rollout stopped before the host's batch; nothing was done on it.
 */
export type HostStatus = 'ok' | 'pending' | 'failed' | 'unreachable' | 'error' | 'refused' | 'skipped';

export interface HostOutcome {
  label: string;
  /** user@host:port as connected. */
  host?: string;
  status: HostStatus;
  report?: RunReport;
  summary?: Summary;
  /** Why the host failed before or outside the states (redacted). */
  error?: string;
  /** Set when the host ran with the public default env (a dry run without an env). */
  warning?: string;
  /** The error's exit code when the input was wrong (3) rather than the host (1). */
  errorExitCode?: 1 | 3;
  durationMs: number;
  /** exec channels + sftp requests used. */
  roundTrips?: number;
}

export interface PushHostOptions {
  statesDir: string;
  /** The state modules (modules/index.ts `registry`). */
  registry: StateRegistry;
  pillarDir: string;
  envFile?: string;
  /** `pillar='{...}'` / --pillar-override: merged over pillar and inventory vars, winning. */
  pillarOverride?: Record<string, unknown>;
  test: boolean;
  sls?: string[];
  concurrency?: number;
  /** false: one apply per state (no pkg aggregation). */
  aggregate?: boolean;
  ssh: SshOptions;
  redactor: Redactor;
  lock?: LockOptions;
  control?: RunControl;
  notice?: (msg: string) => void;
}

/** What a progress view is told when the host ends. */
function endOf(h: HostOutcome): Parameters<HostProgress['done']>[0] {
  if (h.summary && (h.status === 'ok' || h.status === 'pending' || h.status === 'failed')) {
    return { status: h.status, changed: h.summary.changed, failed: h.summary.failed, durationMs: h.durationMs };
  }
  return {
    status: h.status === 'unreachable' ? 'unreachable' : 'error',
    error: h.error ?? h.status,
    durationMs: h.durationMs,
  };
}

/** pushHost, telling `progress` its phases, states and end. */
export async function pushHostWithProgress(
  t: PushTarget,
  o: PushHostOptions,
  progress?: HostProgress,
): Promise<HostOutcome> {
  const h = await pushHost(t, progress ? { ...o, progress } : o);
  progress?.done(endOf(h));
  return h;
}

/** The host's pillar with its inventory vars merged in; their secrets are registered like the pillar's. */
export function withInventoryVars(
  pillar: Record<string, unknown>,
  vars: Record<string, unknown>,
  redactor: Redactor,
): Record<string, unknown> {
  for (const s of collectSecrets(vars)) redactor.add(s);
  return deepmerge(pillar, vars, { arrayMerge: (_a, b) => b }) as Record<string, unknown>;
}

/** What a push reads with the grains: the env search's files (vars: {}) and the probe its drive sources need. */
const PUSH_ENV_READS = { files: [ACTIVE_ENV_PATH, APP_ENV_PATH], probeLabels: DRIVE_LABELS };

export interface LoadedHost {
  host: SshHost;
  grains: Grains;
  minionId: string;
  exec: ReturnType<typeof execSession>;
  pillar: Record<string, unknown>;
  loaded: Awaited<ReturnType<typeof loadPillar>>;
  /** The host's secret values (env, pillar, inventory vars), all registered with the Redactor. */
  secrets: string[];
}

/** Connects (`connected` gets the host at once, to close it on any error), reads grains and the pillar. */
export async function connectAndLoad(
  t: PushTarget,
  o: PushHostOptions & { progress?: HostProgress },
  connected: (h: SshHost) => void,
): Promise<LoadedHost> {
  const ssh = { ...o.ssh, identityFiles: [...(o.ssh.identityFiles ?? []), ...(t.identity ? [t.identity] : [])] };
  o.progress?.phase?.('connecting');
  const host = await connectSsh(t.target, ssh);
  connected(host);
  o.progress?.phase?.('reading grains and env');
  // one round trip: the grains, the env files the search reads (the activated env, /app/env.yml;
  // $ENV_YML is not looked at in a push) and the platform probe; none of them with --env FILE
  const first = await readGrainsAndEnv(host, o.envFile ? { files: [] } : PUSH_ENV_READS);
  const grains = first.grains;
  const activeEnv = startEnvLoad({
    pillarDir: o.pillarDir,
    envFile: o.envFile,
    host,
    vars: {},
    read: first.read,
    ...(first.platform ? { platform: first.platform } : {}),
  });
  const minionId = grains.id;
  const exec = execSession(host);
  const loaded = await loadPillar({
    pillarDir: o.pillarDir,
    envFile: o.envFile,
    host,
    grains,
    minionId,
    vars: {},
    activeEnv,
    allowDefaultEnv: o.test,
    exec,
  });
  for (const s of loaded.secrets) o.redactor.add(s);
  const over = withPillarOverride(withInventoryVars(loaded.pillar, t.vars, o.redactor), o.pillarOverride, o.redactor);
  const pillar = over.pillar;
  const secrets = [...loaded.secrets, ...collectSecrets(t.vars), ...over.secrets].map(String);
  return { host, grains, minionId, exec, pillar, loaded, secrets };
}

export async function pushHost(t: PushTarget, o: PushHostOptions & { progress?: HostProgress }): Promise<HostOutcome> {
  const start = Date.now();
  let host: SshHost | undefined;
  const done = (x: Omit<HostOutcome, 'label' | 'durationMs'>): HostOutcome => ({
    label: t.label,
    ...(host ? { host: host.name, roundTrips: host.roundTrips } : {}),
    ...x,
    durationMs: Date.now() - start,
  });
  try {
    const c = await connectAndLoad(t, o, (h) => (host = h));
    const { grains, minionId, exec, pillar, loaded } = c;
    const report = await runStates({
      host: c.host,
      statesDir: o.statesDir,
      registry: o.registry,
      pillar,
      grains,
      minionId,
      exec,
      test: o.test,
      ...(o.sls ? { sls: o.sls } : {}),
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
      ...(o.aggregate === false ? { aggregate: false } : {}),
      redactor: o.redactor,
      // the lock's wait notice starts with the host's label, as the other notices of a push do
      ...(o.lock ? { lock: { ...o.lock, label: t.label } } : {}),
      ...(o.control ? { control: o.control } : {}),
      ...(o.notice ? { notice: (m: string) => o.notice!(`${t.label}: ${m}`) } : {}),
      ...(o.progress ? { progress: o.progress } : {}),
    });
    const code = exitCodeFor(report, o.test);
    const warning = loaded.defaultEnvWarning ? { warning: loaded.defaultEnvWarning } : {};
    return done({
      status: code === 1 ? 'failed' : code === 2 ? 'pending' : 'ok',
      report,
      summary: summarize(report),
      ...warning,
    });
  } catch (err) {
    // a TransportError's message starts with the host, which the output already names
    const raw = err instanceof TransportError ? err.reason : err instanceof Error ? err.message : String(err);
    const msg = o.redactor.redact(raw);
    // unreachable: the address it tried (user@host:port) is named, as for a host that answered
    if (err instanceof TransportError && !host?.roundTrips) {
      // a typo in a group's name reads as a host name no resolver knows: say it is no group either
      const typo = t.notInInventory && /ENOTFOUND/.test(msg) ? ` (not a host or group of ${t.notInInventory})` : '';
      return done({ status: 'unreachable', error: msg + typo, errorExitCode: 1, host: host?.name ?? err.host });
    }
    if (err instanceof BrineError) return done({ status: 'error', error: msg, errorExitCode: err.exitCode });
    return done({ status: 'error', error: `internal error: ${msg}`, errorExitCode: 1 });
  } finally {
    await host?.close().catch(() => {});
  }
}
