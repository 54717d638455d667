// The README's main command, timed: `brine highstate --test` of the appliance on this machine (the
// dry run; exit 2 = changes pending). Medians of N runs; with --baseline DIR (another checkout,
// built) the two builds alternate, so both see the same load.
//   node --import tsx bench/dry-run.ts [--runs N] [--baseline DIR]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { fmtMs, median, timed } from './measure.js';

const repo = resolve(fileURLToPath(import.meta.url), '../..');

async function once(dir: string): Promise<number> {
  const r = await timed(['node', join(dir, 'bin/brine.mjs'), 'highstate', '--test'], {
    env: { ...process.env, NO_COLOR: '1' } as Record<string, string>,
  });
  if (r.exitCode !== 2) {
    process.stderr.write(
      `${dir}: brine highstate --test exited ${r.exitCode} (expected 2)\n${r.stderr.slice(-2000)}\n`,
    );
    process.exit(1);
  }
  return r.ms;
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--runs <n>', 'runs per build', '5')
    .option('--baseline <dir>', 'a second build to compare, alternating')
    .parse()
    .opts<{ runs: string; baseline?: string }>();
  const builds = [repo, ...(o.baseline ? [resolve(o.baseline)] : [])];
  const times = builds.map((): number[] => []);
  for (let i = 0; i < Number(o.runs); i++) {
    for (const [b, dir] of builds.entries()) {
      const ms = await once(dir);
      times[b]!.push(ms);
      console.log(`  run ${i + 1} ${b ? 'baseline' : 'this build'}: ${fmtMs(ms)}`);
    }
  }
  builds.forEach((dir, b) =>
    console.log(`${b ? 'baseline' : 'this build'} (${dir}): median ${fmtMs(median(times[b]!))} of ${times[b]!.length}`),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
