// `brine highstate` and `brine sls NAME...`: apply the state tree to this machine (or a --root).
// Options only; the pipeline is loaded when the command runs (highstate-run.ts), so other
// commands and --help/--version start without it.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { defaultDirs } from '../../engine/dirs.js';
import { UsageError } from '../../engine/errors.js';
import { OUT_FORMATS, type OutFormat } from '../../engine/report/formats.js';
import { positiveInt, seconds } from './number-options.js';
import { addPillarOverrideOption, WORD_HELP } from './pillar-override.js';
import { saltWordsOf, TEST_WORD_HELP } from './salt-words.js';

/** The parsed pillar override of the command line (pillar-override.ts). */
export type Override = Record<string, unknown> | undefined;

export interface RunFlags {
  test?: boolean;
  out: OutFormat;
  states?: string;
  pillar?: string;
  env?: string;
  root?: string;
  id?: string;
  concurrency: number;
  failhard?: boolean;
  /** commander's --no-aggregate: false */
  aggregate?: boolean;
  full?: boolean;
  /** Seconds to wait for another run's lock (0: refuse at once). */
  lockTimeout: number;
  /** --test --plan-out FILE: save the dry run as a plan (bin/commands/plan-run.ts). */
  planOut?: string;
  quiet?: boolean;
  /** --pillar-override YAML (the text; pillar= words come as positionals). */
  pillarOverride?: string;
}

export function dirOption(flag: string, dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag}: '${dir}' is not a directory`);
  return dir;
}

/** Resolved states/pillar dirs from flags, env vars, or the package root next to the bundle. */
export function resolveDirs(flags: { states?: string; pillar?: string }): { statesDir: string; pillarDir: string } {
  const d = defaultDirs(dirname(fileURLToPath(import.meta.url)));
  const statesDir = flags.states ?? d.statesDir;
  if (!flags.states && !existsSync(statesDir))
    throw new UsageError(`no state tree at ${statesDir}: use --states DIR or $BRINE_STATES`);
  return {
    statesDir: dirOption(flags.states ? '--states' : 'states dir', statesDir),
    // a missing default pillar dir is an empty pillar; a missing --pillar is a mistake
    pillarDir: flags.pillar ? dirOption('--pillar', flags.pillar) : d.pillarDir,
  };
}

export function addTreeOptions(cmd: Command): Command {
  return addPillarOverrideOption(cmd)
    .option('--states <dir>', 'state tree (default: $BRINE_STATES or states/ next to brine)')
    .option('--pillar <dir>', 'pillar tree (default: $BRINE_PILLAR or pillar/ next to brine)')
    .option('--env <file>', 'env.yml to use instead of the env sources')
    .option('--root <dir>', 'apply under this directory instead of / (for tests)')
    .option('--id <minion-id>', 'minion id for top file matching (default: the fqdn)');
}

function addRunOptions(cmd: Command): Command {
  return addTreeOptions(cmd)
    .option('--test', 'dry run: show what would change, change nothing (exit 2 when changes are pending)')
    .addOption(new Option('--out <format>', 'output format').choices([...OUT_FORMATS]).default('highstate'))
    .option(
      '--concurrency <n>',
      "1 (default): Salt's order; N > 1: states no requisite orders apply in parallel, N at once",
      positiveInt('--concurrency'),
      1,
    )
    .option('--failhard', 'stop after the first failed state')
    .option(
      '--no-aggregate',
      'one apt call per pkg state (default: pkg.installed states nothing orders share one apt call)',
    )
    .option('--full', 'highstate output: show unchanged states in full too')
    .option('-q, --quiet', 'no progress (no live view, no line per state on stderr)')
    .option(
      '--lock-timeout <s>',
      'seconds to wait while another run holds the host (0: refuse at once)',
      seconds('--lock-timeout'),
      300,
    )
    .option('--plan-out <file>', 'with --test: save the dry run as a plan for `brine apply FILE`');
}

/** The options of `brine apply FILE`: the tree and env (the run options come from the plan). */
function addApplyOptions(cmd: Command): Command {
  return addTreeOptions(cmd)
    .addOption(new Option('--out <format>', 'output format').choices([...OUT_FORMATS]).default('highstate'))
    .option('--full', 'highstate output: show unchanged states in full too')
    .option('-q, --quiet', 'no progress (no live view, no line per state on stderr)')
    .option(
      '--lock-timeout <s>',
      'seconds to wait while another run holds the host (0: refuse at once)',
      seconds('--lock-timeout'),
      300,
    );
}

async function runOrPlan(flags: RunFlags, sls: string[] | undefined, override: Override): Promise<void> {
  if (flags.planOut)
    return (await import('./plan-run.js')).planOut({ ...flags, planOut: flags.planOut }, sls, override);
  return (await import('./highstate-run.js')).run(flags, sls, override);
}

export function register(program: Command): void {
  addRunOptions(
    program
      .command('highstate')
      .description('apply the states the top file selects for this machine')
      .argument('[key=value...]', `${WORD_HELP}; ${TEST_WORD_HELP}`),
  ).action(async (words: string[], flags: RunFlags) => {
    const { override, test } = saltWordsOf(words, flags, { hasTest: true, only: true });
    return runOrPlan({ ...flags, test }, undefined, override);
  });
  addRunOptions(
    program
      .command('sls')
      .description('apply the named SLS files (with their includes)')
      .argument('<name...>', `SLS names, e.g. common appliance.nginx; and ${WORD_HELP}; ${TEST_WORD_HELP}`),
  ).action(async (names: string[], flags: RunFlags) => {
    const { words, override, test } = saltWordsOf(names, flags, { hasTest: true });
    if (!words.length) throw new UsageError("missing required argument 'name'");
    return runOrPlan({ ...flags, test }, words, override);
  });
  addApplyOptions(
    program
      .command('apply')
      .description(
        'apply a saved plan (--plan-out) here if a fresh dry run still equals it (else exit 4, nothing changed)',
      )
      .argument('<file>', 'the plan file')
      .argument('[pillar=YAML]', `${WORD_HELP}: the one the plan was made with`),
  ).action(async (file: string, word: string | undefined, flags: RunFlags) => {
    const { override } = saltWordsOf(word === undefined ? [] : [word], flags, { hasTest: false, only: true });
    return (await import('./plan-run.js')).applyPlan(file, flags, override);
  });
}
