// brine sizing --studies N [--out json]: the manual's ten-year hardware assessment.
import type { Command } from 'commander';
import { UsageError } from '../../engine/errors.js';

export function register(program: Command): void {
  program
    .command('sizing')
    .description(
      "cores, memory, disk and backup space for N studies per month over ten years (the manual's assessment)",
    )
    .requiredOption('--studies <n>', 'studies per month')
    .option('--out <format>', 'text or json', 'text')
    .exitOverride()
    .action(async (o: { studies: string; out: string }) => {
      const n = Number(o.studies);
      if (!/^\d+$/.test(o.studies.trim()) || !Number.isSafeInteger(n) || n < 1) {
        throw new UsageError(`--studies ${o.studies}: expected a whole number of studies per month (1 or more)`);
      }
      if (o.out !== 'text' && o.out !== 'json') throw new UsageError(`--out ${o.out}: expected text or json`);
      const { formatSizing, sizing } = await import('../../engine/sizing/index.js');
      const s = sizing(n);
      process.stdout.write(o.out === 'json' ? `${JSON.stringify(s, null, 2)}\n` : `${formatSizing(s)}\n`);
    });
}
