// The reusable orchestration: render -> load -> top -> compile -> run, for one host.
// `brine highstate`/`sls` call it locally; `brine push` calls it once per SSH host.
import type { StateRegistry } from './contract.js';
import type { Host } from './host/host.js';
import { loadPillar, startEnvLoad } from './env/pillar.js';
import { withPillarOverride } from './env/override.js';
import { type Grains, readGrains } from './grains.js';
import type { HighData } from './highdata.js';
import type { Redactor } from './redact.js';
import { ExecSession, Renderer, renderOnTarget } from './render/index.js';
import { cloneData } from './render/dictkeys.js';
import { loadSls } from './load/index.js';
import { readTop, selectFromTop } from './top/index.js';
import { compile, type CompiledRun } from './compile/index.js';
import { runCompiled, type RunControl } from './run/index.js';
import { acquireRunLock, type LockOptions } from './host/run-lock.js';
import { cleanStaleTemps } from './host/temp-cleanup.js';
import { dirname, isAbsolute } from 'node:path';
import { envModeWarning } from './env/file-mode.js';
import type { RunReport } from './run/types.js';
import { contentView } from './report/content-view.js';
import { emit, LOCK_WAIT_PHASE, type RunProgress } from './run/progress.js';

export { defaultDirs } from './dirs.js';

export interface StatesInput {
  statesDir: string;
  pillar: Record<string, unknown>;
  grains: Record<string, unknown>;
  minionId: string;
  /** SLS names to apply; absent = highstate (the top file decides). */
  sls?: string[];
  /** Runs the execution functions templates call (cmd.run, file.file_exists...) on the target. */
  exec?: ExecSession;
  /** The state modules (modules/index.ts `registry`). */
  registry: StateRegistry;
}

/** log.* of templates: the debug log (stderr when BRINE_DEBUG is set). */
export function templateLog(level: string, message: string): void {
  if (process.env.BRINE_DEBUG) process.stderr.write(`brine: debug: template log.${level}: ${message}\n`);
}

/** One session per run and host: the answers of target calls are cached for the run. */
export function execSession(host: Host): ExecSession {
  return new ExecSession(host, { log: templateLog });
}

export interface RunStatesOptions extends StatesInput {
  host: Host;
  test: boolean;
  concurrency?: number;
  failhard?: boolean;
  /** Aggregate pkg.installed states into one apt call (default true). */
  aggregate?: boolean;
  redactor: Redactor;
  debug?: (msg: string) => void;
  /** The run lock on the host (default: take it, wait up to 300 s when busy); false: no lock. */
  lock?: LockOptions | false;
  /** Stops the run from outside (signals). */
  control?: RunControl;
  /** One-line notices for the operator (temp files removed...). */
  notice?: (msg: string) => void;
  /** The run's progress events (engine/run/progress.ts). */
  progress?: RunProgress;
}

export interface CompiledStates {
  renderer: Renderer;
  /** The SLS names selected (top file or given). */
  names: string[];
  high: HighData;
  compiled: CompiledRun;
}

export function makeRenderer(o: Omit<StatesInput, 'registry'>): Renderer {
  return new Renderer({
    statesDir: o.statesDir,
    pillar: o.pillar,
    grains: o.grains,
    minionId: o.minionId,
    exec: o.exec,
    log: templateLog,
  });
}

/** SLS names for this minion from states/top.sls (or the given names). */
export function selectSls(o: Omit<StatesInput, 'registry'>, renderer: Renderer): string[] {
  if (o.sls) return o.sls;
  const top = readTop(o.statesDir, renderer);
  return selectFromTop(top, { minionId: o.minionId, pillar: o.pillar, grains: o.grains });
}

/** Everything before the first change: render, load, top, compile. Throws RenderError/CompileError. */
export function compileStates(o: StatesInput): CompiledStates {
  const renderer = makeRenderer(o);
  const names = selectSls(o, renderer);
  const high: HighData = names.length
    ? loadSls(names, { statesDir: o.statesDir, renderer })
    : { states: [], sls: [], extend: [], exclude: [] };
  return { renderer, names, high, compiled: compile(high, o.registry) };
}

/**
 * compileStates with the templates' execution functions run on the target (o.exec): rendered in
 * rounds (see render/exec/session.ts), each round from a pristine copy of pillar and grains so
 * that a template that changes them does not see its own changes of an earlier round.
 */
export async function compileStatesOnTarget(o: StatesInput): Promise<CompiledStates> {
  if (!o.exec) return compileStates(o);
  const pillar = cloneData(o.pillar);
  const grains = cloneData(o.grains);
  return renderOnTarget(o.exec, () => compileStates({ ...o, pillar: cloneData(pillar), grains: cloneData(grains) }));
}

/** Registers the values of every module's secretArgs with the Redactor. */
export function registerSecretArgs(compiled: CompiledRun, redactor: Redactor): void {
  for (const c of compiled.chunks) {
    for (const k of c.fn.secretArgs ?? []) {
      addDeep(redactor, c.args[k]);
    }
  }
}

function addDeep(redactor: Redactor, v: unknown): void {
  if (Array.isArray(v)) for (const x of v) addDeep(redactor, x);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) addDeep(redactor, x);
  else redactor.add(v);
}

export interface PreparedHost {
  grains: Grains;
  pillar: Record<string, unknown>;
  minionId: string;
  envSource: string | null;
  /** One-line warnings for the operator (an env.yml others may read, the public default env in use). */
  warnings: string[];
  /** The run's target calls (pillar and states share their answers). */
  exec: ExecSession;
  /** The pillar's secret values (registered with the Redactor; saved plans key digests with them). */
  secrets: string[];
}

/**
 * Per-host preparation: grains (one round trip), minion id (given, else the grains' fqdn) and the
 * pillar (pillar tree + active env; the env is read while the grains are; the command line's
 * override over both); every pillar secret is registered with the Redactor before anything prints.
 */
export async function prepareHost(o: {
  host: Host;
  pillarDir: string;
  envFile?: string;
  minionId?: string;
  redactor: Redactor;
  /** May the public default env stand in when no env is found (dry runs, show)? See loadPillar. */
  allowDefaultEnv?: boolean;
  /** `pillar='{...}'` / --pillar-override: merged over the pillar, winning (env/override.ts). */
  pillarOverride?: Record<string, unknown>;
}): Promise<PreparedHost> {
  const activeEnv = startEnvLoad({ pillarDir: o.pillarDir, envFile: o.envFile, host: o.host });
  const grains = await readGrains(o.host);
  const minionId = o.minionId ?? grains.id;
  grains.id = minionId;
  const exec = execSession(o.host);
  const loaded = await loadPillar({
    pillarDir: o.pillarDir,
    envFile: o.envFile,
    host: o.host,
    grains,
    minionId,
    activeEnv,
    allowDefaultEnv: o.allowDefaultEnv,
    exec,
  });
  for (const s of loaded.secrets) o.redactor.add(s);
  const over = withPillarOverride(loaded.pillar, o.pillarOverride, o.redactor);
  // the public default env's secrets are in git: who may read the file does not matter
  const modeWarning = loaded.defaultEnvWarning ? undefined : await envModeWarning(o.host, o.envFile, loaded.envSource);
  const warnings = [
    ...(loaded.defaultEnvWarning ? [loaded.defaultEnvWarning] : []),
    ...(modeWarning ? [modeWarning] : []),
  ];
  const secrets = [...loaded.secrets, ...over.secrets].map(String);
  return { grains, pillar: over.pillar, minionId, envSource: loaded.envSource, warnings, exec, secrets };
}

/** The directories a run writes files into: where a killed run may have left temp files. */
export function writeDirs(compiled: CompiledRun): string[] {
  const dirs = new Set<string>();
  for (const c of compiled.chunks) {
    if (c.module !== 'file' || typeof c.args.name !== 'string' || !isAbsolute(c.args.name)) continue;
    dirs.add(dirname(c.args.name));
    if (c.fun === 'recurse' || c.fun === 'directory') dirs.add(c.args.name);
  }
  return [...dirs];
}

export async function runStates(o: RunStatesOptions): Promise<RunReport> {
  const exec = o.exec ?? execSession(o.host);
  emit(o.progress, 'phase', 'compiling');
  const { renderer, compiled } = await compileStatesOnTarget({ ...o, exec });
  registerSecretArgs(compiled, o.redactor);
  // one run at a time per host (dry runs too: their facts would be half-applied otherwise); a real
  // run's temp sweep goes with the lock's command (one round trip) where paths need no --root resolving
  const sweepWithLock = !o.test && !o.host.resolvePath;
  const lockWait = o.lock ? o.lock.onWait : undefined;
  // a progress view shows the wait as the host's phase (not the phase before it)
  const onWait = (m: string) => {
    emit(o.progress, 'phase', LOCK_WAIT_PHASE);
    lockWait?.(m);
  };
  const lock =
    o.lock === false
      ? undefined
      : await acquireRunLock(
          o.host,
          { ...(o.lock ?? { waitMs: 300_000 }), onWait, ...(o.control ? { control: o.control } : {}) },
          sweepWithLock ? writeDirs(compiled) : undefined,
        );
  try {
    if (lock && !o.test) {
      const removed = sweepWithLock ? lock.removed : await cleanStaleTemps(o.host, writeDirs(compiled), lock.since);
      if (removed.length)
        o.notice?.(
          `removed ${removed.length} temp file(s) an interrupted run ` +
            `left: ${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ', ...' : ''}`,
        );
    }
    return await runCompiled(compiled, {
      host: o.host,
      test: o.test,
      statesDir: o.statesDir,
      concurrency: o.concurrency,
      failhard: o.failhard,
      aggregate: o.aggregate,
      debug: o.debug,
      control: o.control,
      content: contentView(o.redactor),
      progress: o.progress,
      render: (text, file, context) => renderOnTarget(exec, () => renderer.renderString(text, file, context)),
    });
  } finally {
    await lock?.release();
  }
}
