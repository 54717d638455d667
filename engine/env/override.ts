// The pillar override of the command line, as Salt's `pillar='{...}'`: a YAML (1.1, flow or block)
// mapping merged over the compiled pillar with the pillar's one merge rule (merge.ts), the override
// winning over every other source (pillar tree, env, inventory vars). Its secret-named values are
// secrets like the env's.
import { UsageError } from '../errors.js';
import { isYamlProblem, readYamlData } from '../load/yaml-data.js';
import type { Redactor } from '../redact.js';
import { isPlainMap, mergeTrees, type Tree } from './merge.js';
import { collectSecrets } from './secrets.js';

/** The long option; `pillar=JSON` as a positional word is Salt's own form. */
export const OVERRIDE_OPTION = '--pillar-override';
const WORD = /^pillar=/;

/**
 * Parses an override (`where` names it in errors: `pillar=` or --pillar-override). Not YAML, or not
 * a mapping: a one-line UsageError (exit 3) with the position, never the text (it may hold a secret).
 */
export function parsePillarOverride(text: string, where: string): Tree {
  const read = readYamlData(text, { typedKeys: true });
  if (isYamlProblem(read)) {
    const at = read.line === undefined ? '' : ` at line ${read.line}${read.col ? `, column ${read.col}` : ''}`;
    throw new UsageError(`${where}: ${read.reason}${at}`);
  }
  if (!isPlainMap(read.data)) {
    const got =
      read.data === null || read.data === undefined ? 'nothing' : Array.isArray(read.data) ? 'a list' : 'a scalar';
    throw new UsageError(`${where}: the pillar override must be a mapping like '{"key": "value"}', got ${got}`);
  }
  return read.data;
}

/**
 * Takes Salt's `pillar=...` words out of a command's positional words and parses the override
 * (from them or from --pillar-override; given twice is a usage error). Returns the other words.
 */
export function takePillarOverride(
  words: readonly string[],
  option: string | undefined,
): { words: string[]; override?: Tree } {
  const given = words.filter((w) => WORD.test(w));
  const rest = words.filter((w) => !WORD.test(w));
  if (given.length + (option === undefined ? 0 : 1) > 1)
    throw new UsageError(`pillar override given twice (pillar= and ${OVERRIDE_OPTION}): give one mapping`);
  if (option !== undefined) return { words: rest, override: parsePillarOverride(option, OVERRIDE_OPTION) };
  if (given.length) return { words: rest, override: parsePillarOverride(given[0]!.replace(WORD, ''), 'pillar=') };
  return { words: rest };
}

/**
 * The pillar with the override merged over it (maps merged, lists and scalars replaced); the
 * override's secrets are registered with the Redactor and returned (saved plans key digests with them).
 */
export function withPillarOverride(
  pillar: Tree,
  override: Tree | undefined,
  redactor: Redactor,
): { pillar: Tree; secrets: string[] } {
  if (!override) return { pillar, secrets: [] };
  const secrets = collectSecrets(override).map(String);
  for (const s of secrets) redactor.add(s);
  return { pillar: mergeTrees(pillar, override), secrets };
}
