// Helpers shared by the appliance tests on a docker target (appliance.test.ts, hardened.test.ts):
// brine push against the target, the JSON report, commands on the target, the ECS stand-in's git
// repository on the target and waiting for the ECS to answer. `applianceHelpers()` returns them
// bound to a context whose target and tree the test's beforeAll sets.
import { execFile, execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import type { DockerTarget } from '../../harness/docker-target.js';
import { BRINE, ECS_REPO, PG_PORT, REPO, STANDIN, type TestTree } from './tree.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface JsonResult {
  id: string;
  module: string;
  function: string;
  result: boolean | null;
  comment: string;
  changes: Array<{ op: string; target: string; diff?: string }>;
  output?: { stdout?: string; stderr?: string };
}

export interface Status {
  ecs: string;
  version: string;
  users: number;
  internal_users: string[];
  migrations: string[];
  vault_files: string[];
  forwarded_proto: string | null;
}

export function brine(args: string[], timeoutMs = 600_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BRINE, ...args],
      { cwd: REPO, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function hostReport(run: Run): { status: string; results: JsonResult[] } {
  let doc: { hosts: Array<{ status: string; error: string | null; report: { results: JsonResult[] } | null }> };
  try {
    doc = JSON.parse(run.stdout);
  } catch {
    throw new Error(`push --out json printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
  }
  const h = doc.hosts[0]!;
  if (!h.report) throw new Error(`push: host ${h.status}: ${h.error}`);
  return { status: h.status, results: h.report.results };
}

export const failures = (rs: JsonResult[]) =>
  rs
    .filter((r) => r.result === false)
    .map((r) => {
      const err = r.output?.stderr ? ` | stderr: ${r.output.stderr.slice(-600)}` : '';
      return `${r.id} (${r.module}.${r.function}): ${r.comment}${err}`;
    });
export const changed = (rs: JsonResult[]) =>
  rs.filter((r) => r.changes.length > 0 || r.result === null).map((r) => `${r.module}.${r.function} ${r.id}`);

/** psql as postgres in the ECS database on the target (a shell command). */
export const q = (sql: string) => `cd / && runuser -u postgres -- psql -p ${PG_PORT} -d ecs -Atc "${sql}"`;

export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

export interface ApplianceContext {
  target?: DockerTarget;
  tree?: TestTree;
  secrets: string[];
}

export function applianceHelpers() {
  const ctx: ApplianceContext = { secrets: [] };
  const target = (): DockerTarget => {
    if (!ctx.target) throw new Error('no target: beforeAll did not start it');
    return ctx.target;
  };

  function push(extra: string[] = [], timeoutMs = 1_100_000): Promise<Run> {
    const t = target();
    const tree = ctx.tree!;
    return brine(
      [
        'push',
        `root@${t.ip}`,
        '-i',
        t.keyPath,
        '--known-hosts',
        t.knownHostsPath,
        '--env',
        tree.env,
        '--states',
        tree.states,
        '--pillar',
        tree.pillar,
        ...extra,
      ],
      timeoutMs,
    );
  }

  function sh(cmd: string, o?: { stdin?: string; timeoutMs?: number }) {
    return target().ssh(cmd, o);
  }

  /** Runs cmd on the target and fails the test with its output unless it exits 0. */
  async function ok(cmd: string, o?: { stdin?: string; timeoutMs?: number }): Promise<string> {
    const r = await sh(cmd, o);
    if (r.exitCode !== 0)
      throw new Error(`on the target: ${cmd}\nexit ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    return r.stdout;
  }

  function expectNoSecrets(text: string): void {
    for (const s of ctx.secrets)
      expect(text.includes(s), `a secret of the test env appears in the output: ${s.slice(0, 12)}...`).toBe(false);
  }

  /** What the ECS web container answers through nginx over https, or null. */
  async function status(): Promise<Status | null> {
    const r = await sh('curl -sk -m 5 https://localhost/status');
    try {
      return JSON.parse(r.stdout) as Status;
    } catch {
      return null;
    }
  }

  /** Waits until the appliance unit is active and the web container answers (with version `version`). */
  async function waitForEcs(version?: string, timeoutMs = 600_000): Promise<Status> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const s = await status();
      const active = (await sh('systemctl is-active appliance.service')).stdout.trim();
      if (s && active === 'active' && (!version || s.version === version)) return s;
      last = `appliance ${active}, status ${JSON.stringify(s)}`;
      const failed = await sh('test -e /run/appliance-failed && echo failed');
      if (failed.stdout.includes('failed') || Date.now() > deadline) {
        const log = await sh(
          'journalctl -u prepare-env -u prepare-appliance -u prepare-ecs -u appliance --no-pager -n 60 -o cat; cat ' +
            '/var/www/html/503.html',
        );
        throw new Error(`the ECS did not come up (${last}):\n${log.stdout.slice(-6000)}`);
      }
      await sleep(3000);
    }
  }

  /** The stand-in ECS source as a git repository on the target (the env's ecs:git:source). */
  async function stageStandin(): Promise<void> {
    const tgz = execFileSync('tar', ['-C', STANDIN, '-cz', '.']).toString('base64');
    await ok(
      `set -e; rm -rf /srv/ecs-standin-work ${ECS_REPO}; mkdir -p /srv/ecs-standin-work
      base64 -d | tar -xz -C /srv/ecs-standin-work; cd /srv/ecs-standin-work
      git init -q -b main; git add -A; git -c user.name=test -c user.email=test@localhost commit -q -m 'ECS stand-in 1'
      git clone -q --bare . ${ECS_REPO}; git remote add origin ${ECS_REPO}; git fetch -q origin`,
      { stdin: tgz },
    );
  }

  /** Commits the stand-in work tree on the target (after `change`, a shell snippet run in it) and pushes it. */
  async function commitStandin(change: string, message: string): Promise<string> {
    return (
      await ok(`set -e; cd /srv/ecs-standin-work; ${change}
      git add -A; git -c user.name=test -c user.email=test@localhost commit -q -m ${JSON.stringify(message)}
      git push -q origin main; git rev-parse HEAD`)
    ).trim();
  }

  return { ctx, push, sh, ok, expectNoSecrets, status, waitForEcs, stageStandin, commitStandin };
}
