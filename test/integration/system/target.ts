// Shared by the system-module integration tests: a booted Debian 12 target (H4's harness) reached
// through the SSH Host, and a helper that runs an SLS text through the real pipeline on it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Host } from '../../../engine/host/host.js';
import { connectSsh } from '../../../engine/host/ssh.js';
import { runStates } from '../../../engine/pipeline.js';
import { registry } from '../../../modules/index.js';
import { Redactor } from '../../../engine/redact.js';
import type { RunReport, StateResult } from '../../../engine/run/types.js';
import { sshTarget, startTargets, type Target } from '../../harness/nspawn.js';

export interface Booted {
  t: Target;
  host: Host;
  stop(): Promise<void>;
}

export async function bootTarget(): Promise<Booted> {
  const [t] = (await startTargets(1)) as [Target];
  const { target, options } = sshTarget(t);
  const host = await connectSsh(target, options);
  return {
    t,
    host,
    async stop() {
      await host.close();
      await t.stop();
    },
  };
}

/** A states dir with the given files (path -> text); removed by the returned cleanup. */
export function statesTree(files: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'brine-h6-states-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runSls(
  host: Host,
  statesDir: string,
  sls: string[],
  test: boolean,
  pillar: Record<string, unknown> = {},
  redactor = new Redactor(),
): Promise<RunReport> {
  return runStates({ host, registry, statesDir, sls, test, pillar, grains: {}, minionId: 'target', redactor });
}

export function byId(r: RunReport): Record<string, StateResult> {
  return Object.fromEntries(r.results.map((x) => [`${x.module}.${x.fun}:${x.id}:${x.name}`, x]));
}

/** Result, comment and change targets per state: what a reviewer reads, in a comparable form. */
export function summary(r: RunReport): Array<[string, boolean | null, string[]]> {
  return r.results.map((x) => [
    `${x.module}.${x.fun} ${x.name}`,
    x.result,
    x.changes.map((c) => `${c.op} ${c.target}`),
  ]);
}
