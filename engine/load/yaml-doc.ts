// YAML with positions: parse rendered SLS text keeping, for every node, its source line.
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { RenderError } from '../errors.js';
import { pyYamlAnchors, yamlReadOptions } from '../render/yaml-schema.js';
import { duplicateKeyReason, yamlReason } from './yaml-data.js';
import { parseAsPyYaml } from './quoted-indent.js';

export interface PositionedYaml {
  doc: Document;
  /** 1-based source line of a node (after mapping rendered lines back to the template). */
  lineOf(node: unknown): number;
}

export function parseYaml(text: string, file: string, mapLine: (n: number) => number = (n) => n): PositionedYaml {
  let lineCounter: LineCounter;
  let doc: Document;
  try {
    ({ doc, lineCounter } = parseAsPyYaml(pyYamlAnchors(text), yamlReadOptions));
  } catch (e) {
    throw new RenderError(file, undefined, yamlReason(e));
  }
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line;
    throw new RenderError(
      file,
      line ? mapLine(line) : undefined,
      err.code === 'DUPLICATE_KEY' ? duplicateKeyReason(text, err) : yamlReason(err),
    );
  }
  const lineOf = (node: unknown): number => {
    const n = (isPair(node) ? ((node as Pair).key ?? (node as Pair).value) : node) as Node | null;
    const start = n?.range?.[0];
    return start === undefined ? 0 : mapLine(lineCounter.linePos(start).line);
  };
  return { doc, lineOf };
}

export { isMap, isPair, isScalar, isSeq };
