// `brine show top|highstate|lowstate|pillar|grains`: what brine would work with, as YAML or JSON.
// Options only; the work (show-run.ts) is loaded when the command runs.
import { type Command, Option } from 'commander';
import { UsageError } from '../../engine/errors.js';
import { addTreeOptions } from './highstate.js';
import { WORD_HELP } from './pillar-override.js';
import { saltWordsOf } from './salt-words.js';

const WHAT = ['top', 'highstate', 'lowstate', 'pillar', 'grains'] as const;
export type What = (typeof WHAT)[number];

export interface ShowFlags {
  out: 'yaml' | 'json';
  states?: string;
  pillar?: string;
  env?: string;
  root?: string;
  id?: string;
  /** --pillar-override YAML (pillar= words come among the SLS names). */
  pillarOverride?: string;
}

export function register(program: Command): void {
  addTreeOptions(
    program
      .command('show')
      .description('print the top file match, high data, low state (compiled chunks), pillar or grains')
      .argument('<what>', WHAT.join('|'))
      .argument('[sls...]', `highstate/lowstate: these SLS names instead of the top file; and ${WORD_HELP}`),
  )
    .addOption(new Option('--out <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (what: string, sls: string[], flags: ShowFlags) => {
      if (!(WHAT as readonly string[]).includes(what))
        throw new UsageError(`show: unknown '${what}', expected one of ${WHAT.join(', ')}`);
      const { words, override } = saltWordsOf(sls, flags, { hasTest: false });
      await (await import('./show-run.js')).show(what as What, words, flags, override);
    });
}
