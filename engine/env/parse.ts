// Parses env.yml text into a tree, with a one-line EnvError (file:line) on a YAML mistake.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { EnvError } from '../errors.js';
import { yamlReadOptions } from '../render/yaml-schema.js';
import { isPlainMap, type Tree } from './merge.js';
import { assertPlainData, MAX_ALIASES, yamlReason } from '../load/yaml-data.js';

export interface ParsedEnv {
  tree: Tree;
  doc: Document;
  lines: LineCounter;
}

export function parseEnv(text: string, file: string): ParsedEnv {
  const lines = new LineCounter();
  // read like Salt and cloud-init read it (PyYAML, YAML 1.1): `automatic: yes` is true
  const doc = parseDocument(text, { ...yamlReadOptions, lineCounter: lines });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? lines.linePos(err.pos[0]).line;
    throw new EnvError(`${file}:${line}`, yamlReason(err));
  }
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: MAX_ALIASES });
    assertPlainData(tree);
  } catch (e) {
    throw new EnvError(file, yamlReason(e));
  }
  if (tree === null || tree === undefined) return { tree: {}, doc, lines };
  if (!isPlainMap(tree)) throw new EnvError(file, 'the env must be a YAML mapping (appliance:, ecs:, ...)');
  return { tree: dropUnset(tree), doc, lines };
}

/**
 * A key written with no value (`standby:`) means unset, as the original appliance's
 * `pillar.get('x', default)` reads it: such keys are dropped (in maps, at any depth; list items stay),
 * so the pillar's default applies and the schema sees no null.
 */
export function dropUnset(tree: Tree): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(tree)) {
    if (v === null || v === undefined) continue;
    out[k] = isPlainMap(v) ? dropUnset(v) : v;
  }
  return out;
}

/** 1-based line of the key (or list item) at `path`, else of its nearest ancestor that exists. */
export function lineOf(parsed: ParsedEnv, path: (string | number)[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? parsed.doc.contents : parsed.doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    let node: unknown;
    if (isMap(parent))
      node = parent.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(last))?.key;
    else if (isSeq(parent)) node = parent.items[Number(last)];
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return parsed.lines.linePos(range[0]).line;
  }
  return undefined;
}
