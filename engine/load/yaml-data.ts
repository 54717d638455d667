// YAML text -> plain data for pillar files and the env, failing as a user error with the line:
// parse errors, alias bombs (more aliases than a file needs) and nesting too deep to read.
import type { LineCounter, Document } from 'yaml';
import { pyYamlAnchors, yamlReadOptions } from '../render/yaml-schema.js';
import { fromYamlMaps } from '../render/dictkeys.js';
import { parseAsPyYaml } from './quoted-indent.js';

export interface YamlProblem {
  line: number | undefined;
  /** The column (1-based), where the parser gives one. */
  col?: number;
  reason: string;
}

/** Aliases one file may resolve (yaml's default is 100 too; named here so every reader shares it). */
export const MAX_ALIASES = 100;

/** The reason text for an exception of the yaml library (or of the engine while reading deep data). */
export function yamlReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Maximum call stack/i.test(msg)) return 'invalid YAML: nested too deeply';
  if (/^invalid YAML: /.test(msg)) return msg;
  if (/alias count|resource exhaustion/i.test(msg))
    return `invalid YAML: too many aliases (more than ${MAX_ALIASES}: an alias bomb?)`;
  return `invalid YAML: ${msg.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** Nesting deeper than this in YAML data is refused (the engine walks data recursively). */
export const MAX_DEPTH = 500;

/**
 * Throws when data read from YAML refers to itself (`&a [*a]`: a recursive alias) or nests deeper
 * than MAX_DEPTH: both would send every later walk of the data (validation, hashing, printing)
 * into endless recursion.
 */
export function assertPlainData(v: unknown): void {
  const open = new Set<object>();
  const walk = (x: unknown, depth: number): void => {
    if (x === null || typeof x !== 'object') return;
    if (open.has(x)) throw new Error('invalid YAML: an alias refers to the value that contains it (recursive data)');
    if (depth > MAX_DEPTH) throw new Error('invalid YAML: nested too deeply');
    open.add(x);
    for (const c of Array.isArray(x) ? x : x instanceof Map ? [...x.values()] : Object.values(x)) walk(c, depth + 1);
    open.delete(x);
  };
  walk(v, 0);
}

/**
 * A key given twice in one mapping, in Salt's words: its YAML loader (SaltYamlSafeLoader) refuses it
 * ("found conflicting ID 'x'"), where plain PyYAML would keep the last value.
 */
export function duplicateKeyReason(text: string, err: { pos?: [number, number] }): string {
  const rest = err.pos ? text.slice(err.pos[0]).split('\n')[0]! : '';
  const m = /^(?:"([^"]*)"|'([^']*)'|([^:#\s][^:#]*?))\s*:(\s|$)/.exec(rest);
  const key = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  return (
    `found conflicting ID${key === undefined ? '' : ` '${key}'`}: a key given twice in one mapping (Salt's ` +
    `YAML loader refuses it too)`
  );
}

/**
 * Parses `text` (YAML 1.1 as Salt reads it); returns the data, or the problem with its line.
 * `typedKeys`: map keys keep their YAML type and order (pillar files: `{1: a}` stays an int key).
 */
export function readYamlData(
  text: string,
  o: { typedKeys?: boolean } = {},
): { data: unknown; doc: Document; lines: LineCounter } | YamlProblem {
  let lines: LineCounter;
  let doc: Document;
  try {
    ({ doc, lineCounter: lines } = parseAsPyYaml(pyYamlAnchors(text), yamlReadOptions));
  } catch (e) {
    return { line: undefined, reason: yamlReason(e) };
  }
  const err = doc.errors[0];
  if (err) {
    const at = err.linePos?.[0] ?? (err.pos ? lines.linePos(err.pos[0]) : undefined);
    return {
      line: at?.line,
      ...(at ? { col: at.col } : {}),
      reason: err.code === 'DUPLICATE_KEY' ? duplicateKeyReason(text, err) : yamlReason(err),
    };
  }
  try {
    const raw: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES, mapAsMap: !!o.typedKeys });
    assertPlainData(raw);
    return { data: o.typedKeys ? fromYamlMaps(raw) : raw, doc, lines };
  } catch (e) {
    return { line: undefined, reason: yamlReason(e) };
  }
}

export function isYamlProblem(v: unknown): v is YamlProblem {
  return typeof v === 'object' && v !== null && 'reason' in v && !('doc' in v);
}
