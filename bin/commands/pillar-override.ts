// The pillar override on the command line: Salt's `pillar='{...}'` word among a command's
// positional words, or --pillar-override YAML. Parsed (exit 3 on bad input) and its secrets
// registered with the Redactor before anything else runs; engine/env/override.ts does the work.
import type { Command } from 'commander';
import { OVERRIDE_OPTION, takePillarOverride, withPillarOverride } from '../../engine/env/override.js';
import { errorRedactor } from '../main.js';

export const OVERRIDE_HELP = "a YAML/JSON mapping merged over the pillar, winning over every source (Salt's pillar=)";
export const WORD_HELP = `pillar='{"key": "value"}': Salt's pillar override (as ${OVERRIDE_OPTION})`;

export function addPillarOverrideOption(cmd: Command): Command {
  return cmd.option(`${OVERRIDE_OPTION} <yaml>`, OVERRIDE_HELP);
}

/** The override of a command (from `pillar=` words or the option), secrets registered; the other words. */
export function pillarOverrideOf(
  words: readonly string[],
  option: string | undefined,
): { words: string[]; override?: Record<string, unknown> } {
  const r = takePillarOverride(words, option);
  withPillarOverride({}, r.override, errorRedactor);
  return r;
}
