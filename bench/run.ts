// `npm run bench`: the same generated workload applied by brine and by ansible-playbook to this
// machine, N runs each of a first apply (empty target) and a no-op run; prints medians and ratios.
//   npm run bench -- [--runs N] [--files N] [--dirs N] [--templates N] [--commands N] [--no-ansible] [--dir DIR]
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { median, table, timed, type Row, type Timed } from './measure.js';
import { writeWorkload, type Workload } from './workload.js';

const repo = resolve(fileURLToPath(import.meta.url), '../..');
const brineBin = join(repo, 'dist/brine.mjs');

function check(what: string, r: Timed): Timed {
  if (r.exitCode !== 0) {
    process.stderr.write(`${what} exited ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}\n`);
    process.exit(1);
  }
  return r;
}

/** Runs brine on the workload; returns the wall time and the number of changed states. */
export async function runBrine(w: Workload, extra: string[] = []): Promise<{ t: Timed; changed: number }> {
  const t = check(
    'brine',
    await timed([
      'node',
      brineBin,
      'sls',
      w.sls,
      '--states',
      w.statesDir,
      '--pillar',
      w.pillarDir,
      '--id',
      'bench',
      '--out',
      'json',
      ...extra,
    ]),
  );
  const report = JSON.parse(t.stdout) as { summary?: { changed?: number } };
  return { t, changed: report.summary?.changed ?? -1 };
}

export async function runAnsible(
  w: Workload,
  inventory: string[] = ['-i', 'localhost,', '-c', 'local'],
): Promise<{ t: Timed; changed: number }> {
  const t = check(
    'ansible-playbook',
    await timed(['ansible-playbook', ...inventory, w.playbook], {
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
      } as Record<string, string>,
    }),
  );
  const m = /changed=(\d+)/.exec(t.stdout);
  return { t, changed: m ? Number(m[1]) : -1 };
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--runs <n>', 'runs per case', '3')
    .option('--files <n>', 'static files', '300')
    .option('--dirs <n>', 'directories', '50')
    .option('--templates <n>', 'templates', '100')
    .option('--commands <n>', 'commands with creates', '20')
    .option('--dir <dir>', 'scratch directory', '/var/tmp/brine-bench')
    .option('--no-ansible', 'skip ansible-playbook')
    .parse()
    .opts<{
      runs: string;
      files: string;
      dirs: string;
      templates: string;
      commands: string;
      dir: string;
      ansible: boolean;
    }>();
  if (!existsSync(brineBin)) throw new Error(`${brineBin} missing: run npm run build first`);
  const runs = Number(o.runs);
  const w = writeWorkload(join(o.dir, 'work'), {
    size: {
      files: Number(o.files),
      dirs: Number(o.dirs),
      templates: Number(o.templates),
      commands: Number(o.commands),
    },
    brineTarget: join(o.dir, 'target-brine'),
    ansibleTarget: join(o.dir, 'target-ansible'),
  });
  console.log(
    `workload: ${w.size.files} files, ${w.size.dirs} directories, ${w.size.templates} templates, ` +
      `${w.size.commands} commands (${w.items} states/items); ${runs} runs each`,
  );
  const first: Row = { case: 'first apply', brine: [], ansible: [] };
  const noop: Row = { case: 'no-op run', brine: [], ansible: [] };
  for (let i = 0; i < runs; i++) {
    rmSync(w.brineTarget, { recursive: true, force: true });
    const a = await runBrine(w);
    const b = await runBrine(w);
    if (b.changed !== 0) throw new Error(`brine no-op run reported ${b.changed} changes`);
    first.brine.push(a.t.ms);
    noop.brine.push(b.t.ms);
    console.log(
      `  brine   run ${i + 1}: first ${a.t.ms.toFixed(0)} ms (${a.changed} changed), no-op ${b.t.ms.toFixed(0)} ms`,
    );
    if (o.ansible) {
      rmSync(w.ansibleTarget, { recursive: true, force: true });
      const c = await runAnsible(w);
      const d = await runAnsible(w);
      if (d.changed !== 0) throw new Error(`ansible no-op run reported changed=${d.changed}`);
      first.ansible.push(c.t.ms);
      noop.ansible.push(d.t.ms);
      console.log(
        `  ansible run ${i + 1}: first ${c.t.ms.toFixed(0)} ms (changed=${c.changed}), no-op ${d.t.ms.toFixed(0)} ms`,
      );
    }
  }
  console.log('');
  console.log(table([first, noop], w.items));
  if (o.ansible) {
    const r1 = median(first.ansible) / median(first.brine);
    const r2 = median(noop.ansible) / median(noop.brine);
    console.log(
      `\naims: no-op >= 30x (${r2.toFixed(1)}x: ${r2 >= 30 ? 'met' : 'NOT met'}), first apply >= 10x ` +
        `(${r1.toFixed(1)}x: ${r1 >= 10 ? 'met' : 'NOT met'})`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
