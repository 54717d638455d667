// Rendered SLS text parsed once per process: a push to many hosts renders each SLS per host, and
// the text is usually the same on every host of a fleet, so its YAML parse and its line map back to
// the template are shared. The parsed document is only read (declarations.ts turns its nodes into
// fresh data for each load), never changed.
import { lineMap } from './linemap.js';
import { parseYaml, type PositionedYaml } from './yaml-doc.js';

const MAX = 200;
const cache = new Map<string, PositionedYaml>();
let parses = 0;

/** The parse of `rendered` (from the template `source` of `file`); errors are thrown, never kept. */
export function parseRendered(file: string, source: string, rendered: string): PositionedYaml {
  const key = `${file}\0${source}\0${rendered}`;
  const hit = cache.get(key);
  if (hit) return hit;
  parses++;
  const y = parseYaml(rendered, file, lineMap(source, rendered));
  if (cache.size >= MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, y);
  return y;
}

/** How many texts were parsed (not found in the cache) so far: for tests. */
export function renderedParses(): number {
  return parses;
}
