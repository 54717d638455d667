// The SSH case of the benchmark: H3's workload pushed by `brine push` and by ansible-playbook
// (pipelining and ControlPersist on, as a fair Ansible user runs it) to the same booted Debian
// container, first apply and no-op, and brine fanned out to N containers at once; each run does the
// one host, then the N, then Ansible, so the fan-out's ratio compares runs made under the same load.
//   node --import tsx bench/ssh.ts [--runs N] [--fanout N] [--files N] [--dirs N] [--templates N] [--commands N]
// [--no-ansible]
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { startTargets, type Target } from '../test/harness/nspawn.js';
import { fmtMs, median, table, timed, type Row, type Timed } from './measure.js';
import { writeWorkload, type Workload } from './workload.js';

const repo = resolve(fileURLToPath(import.meta.url), '../..');
const brineBin = join(repo, 'dist/brine.mjs');

interface PushJson {
  exitCode: number;
  hosts: {
    host: string;
    status: string;
    roundTrips: number | null;
    error: string | null;
    report: { summary: { changed: number; failed: number } } | null;
  }[];
}

function check(what: string, r: Timed): Timed {
  if (r.exitCode !== 0) {
    process.stderr.write(`${what} exited ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}\n`);
    process.exit(1);
  }
  return r;
}

/** The controller's CPU seconds (user + sys) of a command run under /usr/bin/time -f '@@cpu %U %S'. */
function cpuOf(t: Timed): number {
  const m = /@@cpu ([\d.]+) ([\d.]+)\s*$/.exec(t.stderr);
  return m ? Number(m[1]) + Number(m[2]) : NaN;
}

async function brinePush(
  w: Workload,
  ts: Target[],
  kh: string,
): Promise<{ t: Timed; changed: number[]; roundTrips: number[]; cpu: number }> {
  const t = check(
    'brine push',
    await timed(
      [
        '/usr/bin/time',
        '-f',
        '@@cpu %U %S',
        'node',
        brineBin,
        'push',
        ...ts.map((x) => `root@127.0.0.1:${x.port}`),
        '--sls',
        w.sls,
        '--states',
        w.statesDir,
        '--pillar',
        w.pillarDir,
        '--known-hosts',
        kh,
        '--ssh-config',
        '/dev/null',
        '-i',
        ts[0]!.keyPath,
        '--parallel',
        String(ts.length),
        '--out',
        'json',
      ],
      { env: { ...process.env, SSH_AUTH_SOCK: '' } as Record<string, string> },
    ),
  );
  const doc = JSON.parse(t.stdout) as PushJson;
  return {
    t,
    changed: doc.hosts.map((h) => h.report?.summary.changed ?? -1),
    roundTrips: doc.hosts.map((h) => h.roundTrips ?? -1),
    cpu: cpuOf(t),
  };
}

async function ansible(w: Workload, t: Target, kh: string): Promise<{ t: Timed; changed: number }> {
  const inv = join(w.dir, 'ansible', 'inventory.ini');
  writeFileSync(
    inv,
    `target ansible_host=127.0.0.1 ansible_port=${t.port} ansible_user=root ` +
      `ansible_ssh_private_key_file=${t.keyPath} ansible_python_interpreter=/usr/bin/python3\n`,
  );
  const r = check(
    'ansible-playbook',
    await timed(['ansible-playbook', '-i', inv, w.playbook], {
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_PIPELINING: 'True',
        ANSIBLE_SSH_ARGS:
          `-o ControlMaster=auto -o ControlPersist=120s -o ` + `UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes`,
        ANSIBLE_SSH_CONTROL_PATH_DIR: join(w.dir, 'cp'),
      } as Record<string, string>,
    }),
  );
  const m = /changed=(\d+)/.exec(r.stdout);
  return { t: r, changed: m ? Number(m[1]) : -1 };
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--runs <n>', 'runs per case', '3')
    .option('--fanout <n>', 'containers for the fan-out case (0: skip)', '4')
    // smaller than the local bench's default: Ansible pays an ssh round trip per loop item
    .option('--files <n>', 'static files', '60')
    .option('--dirs <n>', 'directories', '10')
    .option('--templates <n>', 'templates', '20')
    .option('--commands <n>', 'commands with creates', '5')
    .option('--no-ansible', 'skip ansible-playbook')
    .parse()
    .opts<{
      runs: string;
      fanout: string;
      files: string;
      dirs: string;
      templates: string;
      commands: string;
      ansible: boolean;
    }>();
  const runs = Number(o.runs);
  const fan = Number(o.fanout);
  const dir = mkdtempSync(join(tmpdir(), 'brine-bench-ssh-'));
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
    `workload: ${w.size.files} files, ${w.size.dirs} dirs, ${w.size.templates} templates, ` +
      `${w.size.commands} commands (${w.items} states/items) over SSH; ${runs} runs each`,
  );
  const targets = await startTargets(Math.max(1, fan));
  const stop = () => Promise.all(targets.map((t) => t.stop())).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const kh = join(dir, 'known_hosts');
    writeFileSync(kh, targets.map((t) => readFileSync(t.knownHostsPath, 'utf8')).join(''));
    const one = targets[0]!;
    const first: Row = { case: 'first apply (1 host)', brine: [], ansible: [] };
    const noop: Row = { case: 'no-op (1 host)', brine: [], ansible: [] };
    const trips: number[] = [];
    const firstTrips: number[] = [];
    const cpu = { first: [] as number[], noop: [] as number[], fanFirst: [] as number[], fanNoop: [] as number[] };
    const ff: Row = { case: `first apply (${fan} hosts, brine)`, brine: [], ansible: [] };
    const fn: Row = { case: `no-op (${fan} hosts, brine)`, brine: [], ansible: [] };
    // each run pushes to one host, then to all of them (the ratio's two sides side by side in time,
    // under the same load), then runs Ansible
    for (let i = 0; i < runs; i++) {
      await one.ssh('rm -rf /srv/bench-brine /srv/bench-ansible');
      const a = await brinePush(w, [one], kh);
      const b = await brinePush(w, [one], kh);
      if (b.changed[0] !== 0) throw new Error(`brine no-op push reported ${b.changed[0]} changes`);
      first.brine.push(a.t.ms);
      noop.brine.push(b.t.ms);
      trips.push(b.roundTrips[0]!);
      firstTrips.push(a.roundTrips[0]!);
      cpu.first.push(a.cpu);
      cpu.noop.push(b.cpu);
      console.log(
        `  brine   run ${i + 1}: first ${fmtMs(a.t.ms)} (${a.changed[0]} changed, ${a.roundTrips[0]} round trips, ` +
          `controller CPU ${a.cpu.toFixed(2)} s), ` +
          `no-op ${fmtMs(b.t.ms)} (${b.roundTrips[0]} round trips, CPU ${b.cpu.toFixed(2)} s)`,
      );
      if (fan > 1) {
        await Promise.all(targets.map((t) => t.ssh('rm -rf /srv/bench-brine')));
        const c = await brinePush(w, targets, kh);
        const d = await brinePush(w, targets, kh);
        if (d.changed.some((n) => n !== 0))
          throw new Error(`brine fan-out no-op reported changes: ${d.changed.join(',')}`);
        ff.brine.push(c.t.ms);
        fn.brine.push(d.t.ms);
        cpu.fanFirst.push(c.cpu);
        cpu.fanNoop.push(d.cpu);
        console.log(
          `  fan-out run ${i + 1}: first ${fmtMs(c.t.ms)} (round trips ${c.roundTrips.join(', ')}, controller ` +
            `CPU ${c.cpu.toFixed(2)} s), ` +
            `no-op ${fmtMs(d.t.ms)} (round trips ${d.roundTrips.join(', ')}, CPU ${d.cpu.toFixed(2)} s)`,
        );
      }
      if (o.ansible) {
        const c = await ansible(w, one, kh);
        const d = await ansible(w, one, kh);
        if (d.changed !== 0) throw new Error(`ansible no-op run reported changed=${d.changed}`);
        first.ansible.push(c.t.ms);
        noop.ansible.push(d.t.ms);
        console.log(`  ansible run ${i + 1}: first ${fmtMs(c.t.ms)} (changed=${c.changed}), no-op ${fmtMs(d.t.ms)}`);
      }
    }
    const rows = [first, noop];
    if (fan > 1) {
      rows.push(ff, fn);
      const pairs = ff.brine.map((x, i) => (x / first.brine[i]!).toFixed(2)).join(', ');
      console.log(
        `fan-out: ${fan} hosts took ${(median(ff.brine) / median(first.brine)).toFixed(2)}x the time of 1 host ` +
          `(first apply; run by run ${pairs}), ${(median(fn.brine) / median(noop.brine)).toFixed(2)}x (no-op)`,
      );
    }
    console.log('');
    console.log(table(rows, w.items));
    const per = (n: number) => (n / w.items).toFixed(3);
    console.log(`\nround trips (exec channels + sftp requests), medians for ${w.items} states:`);
    console.log(
      `  first apply ${median(firstTrips)} (${per(median(firstTrips))} per state), ` +
        `no-op ${median(trips)} (${per(median(trips))} per state)`,
    );
    console.log(
      `controller CPU (user + sys, medians): first ` +
        `apply ${median(cpu.first).toFixed(2)} s, no-op ${median(cpu.noop).toFixed(2)} s` +
        (cpu.fanFirst.length
          ? `; ${fan} hosts: first ` +
            `apply ${median(cpu.fanFirst).toFixed(2)} s, no-op ${median(cpu.fanNoop).toFixed(2)} s`
          : ''),
    );
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
