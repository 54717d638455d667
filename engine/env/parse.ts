// Parses env.yml text into a tree, with a one-line EnvError (file:line) on a YAML mistake.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { EnvError } from '../errors.js';
import { isPlainMap, type Tree } from './merge.js';

export interface ParsedEnv {
  tree: Tree;
  doc: Document;
  lines: LineCounter;
}

export function parseEnv(text: string, file: string): ParsedEnv {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? lines.linePos(err.pos[0]).line;
    throw new EnvError(`${file}:${line}`, `invalid YAML: ${err.message.split('\n')[0]}`);
  }
  const tree: unknown = doc.toJS({ maxAliasCount: 100 });
  if (tree === null || tree === undefined) return { tree: {}, doc, lines };
  if (!isPlainMap(tree)) throw new EnvError(file, 'the env must be a YAML mapping (appliance:, ecs:, ...)');
  return { tree, doc, lines };
}

/** 1-based line of the node at `path` in the document, if it is there. */
export function lineOf(parsed: ParsedEnv, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = parsed.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return parsed.lines.linePos(node.range[0]).line;
  }
  return undefined;
}
