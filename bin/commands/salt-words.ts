// Salt's key=value words among a command's positional words (`salt-call state.highstate test=True
// pillar='{...}'`): `test=` is --test where the command has one; `pillar=` is left to
// pillar-override.ts; any other key=value (saltenv=, queue=...) is refused naming the key (exit 3).
import { UsageError } from '../../engine/errors.js';
import { pillarOverrideOf } from './pillar-override.js';

export const TEST_WORD_HELP = "test=True: Salt's word for --test";

const KEY_VALUE = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const TAKEN = new Set(['pillar', 'test']);

/**
 * A variadic option (`--sls a b`) takes every word after it, Salt's key=value words too
 * (`--sls a pillar='{...}'`): those go back among the positional words. An SLS name has no `=`.
 */
export function keyValueWordsOut(values: string[]): { values: string[]; words: string[] } {
  return { values: values.filter((w) => !KEY_VALUE.test(w)), words: values.filter((w) => KEY_VALUE.test(w)) };
}

/** Salt's test= value (True/true/1, False/false/0) as a boolean; anything else is exit 3. */
export function parseTestWord(value: string): boolean {
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw new UsageError(`test=${value}: expected test=True or test=False`);
}

/**
 * Takes the test= word out of the words and combines it with --test (`hasTest`: the command has
 * --test; else test= is refused). Refuses a key=value word other than pillar= and test=.
 */
export function takeTestWord(
  words: readonly string[],
  flagTest: boolean | undefined,
  hasTest: boolean,
): { words: string[]; test?: boolean } {
  const rest: string[] = [];
  const given: boolean[] = [];
  for (const w of words) {
    const key = KEY_VALUE.exec(w)?.[1];
    if (key !== undefined && !TAKEN.has(key))
      throw new UsageError(`unknown argument '${key}=' (of Salt's key=value words brine takes pillar= and test=)`);
    if (key === 'test') {
      if (!hasTest) throw new UsageError('test=: this command has no dry run (no --test): leave test= out');
      given.push(parseTestWord(w.slice('test='.length)));
    } else rest.push(w);
  }
  if (given.length > 1) throw new UsageError('test= given twice: give it once');
  if (!given.length) return { words: rest, test: flagTest };
  if (flagTest && !given[0]) throw new UsageError('test=False contradicts --test: give one of them');
  return { words: rest, test: given[0] };
}

export interface SaltWords {
  /** The positional words left (SLS names, push targets). */
  words: string[];
  override?: Record<string, unknown>;
  /** --test or test=True. */
  test?: boolean;
}

/**
 * A command's positional words with Salt's key=value words taken out: the pillar override (or
 * --pillar-override) and test= (or --test; `hasTest`: the command has --test). `only`: the command
 * takes no other words (highstate, apply).
 */
export function saltWordsOf(
  words: readonly string[],
  flags: { pillarOverride?: string; test?: boolean },
  opts: { hasTest: boolean; only?: boolean },
): SaltWords {
  const t = takeTestWord(words, flags.test, opts.hasTest);
  const p = pillarOverrideOf(t.words, flags.pillarOverride);
  if (opts.only && p.words.length) {
    const taken = opts.hasTest ? "pillar='{...}' and test=True" : "pillar='{...}'";
    throw new UsageError(`unexpected argument '${p.words[0]}' (the words taken here are ${taken})`);
  }
  return { words: p.words, override: p.override, ...(t.test !== undefined ? { test: t.test } : {}) };
}
