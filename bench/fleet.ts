// The fan-out benchmark: the workload (bench/workload.ts) pushed by `brine push` and by
// ansible-playbook (forks = hosts, pipelining, ControlPersist) to 1, 10 and 50 light targets
// (test/harness/light-target.ts: sshd in its own network namespace and root), first apply and
// no-op, medians; then how the no-op scales with the hosts and against Ansible.
//   node --import tsx bench/fleet.ts [--sizes 1,10,50] [--runs N] [--ansible-runs N] [--no-ansible] [--files N] ...
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { startFleet, type LightTarget } from '../test/harness/light-target.js';
import { bareLogins } from './bare-logins.js';
import { fmtMs, median, timed, type Timed } from './measure.js';
import { writeWorkload, type Workload } from './workload.js';

const repo = resolve(fileURLToPath(import.meta.url), '../..');
const brineBin = join(repo, 'dist/brine.mjs');

interface PushJson {
  hosts: { host: string; status: string; error: string | null; report: { summary: { changed: number } } | null }[];
}

/** The hosts of a `--out json` push that did not end ok, one line each (null: not that output). */
function badHosts(stdout: string): string | null {
  try {
    const doc = JSON.parse(stdout) as PushJson;
    return doc.hosts
      .filter((h) => h.status !== 'ok')
      .map((h) => `${h.host}: ${h.status}${h.error ? ` (${h.error})` : ''}`)
      .join('\n');
  } catch {
    return null;
  }
}

function check(what: string, r: Timed): Timed {
  if (r.exitCode !== 0) {
    const out = badHosts(r.stdout) ?? r.stdout.slice(-3000);
    process.stderr.write(`${what} exited ${r.exitCode}\n${out}\n${r.stderr.slice(-3000)}\n`);
    process.exit(1);
  }
  return r;
}

async function brinePush(
  w: Workload,
  ts: LightTarget[],
  kh: string,
  key: string,
): Promise<{ t: Timed; changed: number }> {
  const argv = [
    'node',
    brineBin,
    'push',
    ...ts.map((x) => `root@${x.host}`),
    '--sls',
    w.sls,
    '--states',
    w.statesDir,
    '--pillar',
    w.pillarDir,
    '--quiet',
    '--known-hosts',
    kh,
    '--ssh-config',
    '/dev/null',
    '-i',
    key,
    '--parallel',
    String(ts.length),
    '--out',
    'json',
  ];
  const t = check(
    'brine push',
    await timed(argv, { env: { ...process.env, SSH_AUTH_SOCK: '' } as Record<string, string> }),
  );
  const doc = JSON.parse(t.stdout) as PushJson;
  const bad = doc.hosts.find((h) => h.status !== 'ok');
  if (bad) throw new Error(`brine push: ${bad.host} ${bad.status} ${bad.error ?? ''}`);
  return { t, changed: doc.hosts.reduce((n, h) => n + (h.report?.summary.changed ?? 0), 0) };
}

async function ansible(
  w: Workload,
  ts: LightTarget[],
  kh: string,
  key: string,
): Promise<{ t: Timed; changed: number }> {
  const inv = join(w.dir, 'ansible', `inventory-${ts.length}.ini`);
  writeFileSync(
    inv,
    ts
      .map(
        (t, i) =>
          `h${i} ansible_host=${t.host} ansible_user=root ` +
          `ansible_ssh_private_key_file=${key} ansible_python_interpreter=/usr/bin/python3\n`,
      )
      .join(''),
  );
  const r = check(
    'ansible-playbook',
    await timed(['ansible-playbook', '-i', inv, '--forks', String(ts.length), w.playbook], {
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_PIPELINING: 'True',
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_SSH_ARGS:
          `-o ControlMaster=auto -o ControlPersist=120s -o ` + `UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes`,
        ANSIBLE_SSH_CONTROL_PATH_DIR: join(w.dir, 'cp'),
      } as Record<string, string>,
    }),
  );
  const changed = [...r.stdout.matchAll(/changed=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  return { t: r, changed };
}

interface Case {
  hosts: number;
  brineFirst: number[];
  brineNoop: number[];
  ansFirst: number[];
  ansNoop: number[];
  /** Bare logins + `true` on every host at once (bare-logins.ts). */
  floor: number[];
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--sizes <list>', 'fleet sizes', '1,10,50')
    .option('--runs <n>', 'brine runs per case', '3')
    .option('--ansible-runs <n>', 'Ansible runs per case (default: --runs)')
    .option('--files <n>', 'static files', '20')
    .option('--dirs <n>', 'directories', '5')
    .option('--templates <n>', 'templates', '10')
    .option('--commands <n>', 'commands with creates', '5')
    .option('--no-ansible', 'skip ansible-playbook')
    .parse()
    .opts<{
      sizes: string;
      runs: string;
      ansibleRuns?: string;
      files: string;
      dirs: string;
      templates: string;
      commands: string;
      ansible: boolean;
    }>();
  const sizes = o.sizes.split(',').map(Number);
  const runs = Number(o.runs);
  const ansRuns = o.ansible ? Number(o.ansibleRuns ?? o.runs) : 0;
  const dir = mkdtempSync(join(tmpdir(), 'brine-bench-fleet-'));
  const w = writeWorkload(join(dir, 'work'), {
    size: {
      files: Number(o.files),
      dirs: Number(o.dirs),
      templates: Number(o.templates),
      commands: Number(o.commands),
    },
    brineTarget: '/srv/bench-brine',
    ansibleTarget: '/srv/bench-ansible',
  });
  console.log(
    `workload: ${w.items} states/items per host; ` +
      `sizes ${sizes.join(', ')}; brine ${runs} runs, Ansible ${ansRuns} runs per case`,
  );
  const t0 = Date.now();
  const fleet = await startFleet(Math.max(...sizes));
  console.log(`${fleet.targets.length} light targets up in ${fmtMs(Date.now() - t0)}`);
  const stop = () => fleet.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const cases: Case[] = [];
  try {
    for (const n of sizes) {
      const ts = fleet.targets.slice(0, n);
      const c: Case = { hosts: n, brineFirst: [], brineNoop: [], ansFirst: [], ansNoop: [], floor: [] };
      for (let i = 0; i < Math.max(runs, ansRuns); i++) {
        await Promise.all(ts.map((t) => t.ssh('rm -rf /srv/bench-brine /srv/bench-ansible')));
        if (i < runs) {
          const a = await brinePush(w, ts, fleet.knownHostsPath, fleet.keyPath);
          const b = await brinePush(w, ts, fleet.knownHostsPath, fleet.keyPath);
          if (b.changed !== 0) throw new Error(`brine no-op push on ${n} hosts reported ${b.changed} changes`);
          c.brineFirst.push(a.t.ms);
          c.brineNoop.push(b.t.ms);
          c.floor.push(await bareLogins(ts, fleet.keyPath));
          console.log(
            `  ${n} host(s) brine   run ${i + 1}: first ${fmtMs(a.t.ms)} (${a.changed} changed), ` +
              `no-op ${fmtMs(b.t.ms)}; bare logins + \`true\` ${fmtMs(c.floor.at(-1)!)}`,
          );
        }
        if (i < ansRuns) {
          const a = await ansible(w, ts, fleet.knownHostsPath, fleet.keyPath);
          const b = await ansible(w, ts, fleet.knownHostsPath, fleet.keyPath);
          if (b.changed !== 0) throw new Error(`ansible no-op run on ${n} hosts reported changed=${b.changed}`);
          c.ansFirst.push(a.t.ms);
          c.ansNoop.push(b.t.ms);
          console.log(
            `  ${n} host(s) ansible ` +
              `run ${i + 1}: first ${fmtMs(a.t.ms)} (changed=${a.changed}), no-op ${fmtMs(b.t.ms)}`,
          );
        }
      }
      cases.push(c);
    }
  } finally {
    await fleet.stop();
  }
  console.log('');
  console.log(report(cases));
}

function report(cases: Case[]): string {
  const cell = (xs: number[]) => (xs.length ? fmtMs(median(xs)) : '-');
  const ratio = (a: number[], b: number[]) => (a.length && b.length ? `${(median(a) / median(b)).toFixed(1)}x` : '-');
  const head = [
    'hosts',
    'brine first',
    'brine no-op',
    'ansible first',
    'ansible no-op',
    'ansible/brine first',
    'ansible/brine no-op',
    'bare logins',
  ];
  const rows = cases.map((c) => [
    String(c.hosts),
    cell(c.brineFirst),
    cell(c.brineNoop),
    cell(c.ansFirst),
    cell(c.ansNoop),
    ratio(c.ansFirst, c.brineFirst),
    ratio(c.ansNoop, c.brineNoop),
    cell(c.floor),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => `| ${r.map((x, i) => x.padEnd(w[i]!)).join(' | ')} |`;
  const lines = [fmt(head), `| ${w.map((n) => '-'.repeat(n)).join(' | ')} |`, ...rows.map(fmt)];
  const one = cases.find((c) => c.hosts === 1);
  const most = cases.reduce((a, b) => (b.hosts > a.hosts ? b : a));
  if (one && most !== one) {
    const scale = median(most.brineNoop) / median(one.brineNoop);
    lines.push(
      '',
      `no-op, ${most.hosts} hosts / 1 host: ${scale.toFixed(2)}x (aim: within 3x): ${scale <= 3 ? 'met' : 'not met'}`,
      `3x one host's no-op is ${fmtMs(3 * median(one.brineNoop))}; ${most.hosts} bare logins + \`true\` at once ` +
        `(no brine, nothing read) take ${fmtMs(median(most.floor))}`,
    );
    if (one.ansNoop.length && most.ansNoop.length) {
      const r1 = median(one.ansNoop) / median(one.brineNoop);
      const rn = median(most.ansNoop) / median(most.brineNoop);
      lines.push(
        `ahead of Ansible, no-op: ${r1.toFixed(1)}x on 1 host, ${rn.toFixed(1)}x on ${most.hosts} (aim: at least ` +
          `the same): ${rn >= r1 ? 'met' : 'not met'}`,
      );
    }
  }
  return lines.join('\n');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
