// compile: high data -> typed, validated chunks linked into an acyclic scheduling graph.
// Compile before apply: any error here is thrown before the first change.
import type { StateRegistry } from '../contract.js';
import type { HighData } from '../highdata.js';
import { buildChunks } from './chunks.js';
import { addOrderEdges, checkCycles, comesAfter, requisiteEdges } from './graph.js';
import { applyExtendExclude, applyUse } from './highdata-edit.js';
import { implicitDirectoryRequisites, resolveRequisites } from './requisites.js';
import type { CompiledRun } from './types.js';

export type { Chunk, CompiledRun, Requisite, ReqKind } from './types.js';
export { chunkKey, chunkLabel } from './types.js';

/** `registry`: the state modules `module.function` resolves in (modules/index.ts for a real run). */
export function compile(high: HighData, registry: StateRegistry): CompiledRun {
  const decls = applyUse(applyExtendExclude(high));
  const chunks = resolveRequisites(buildChunks(decls, registry), high.sls);
  const after = requisiteEdges(chunks);
  checkCycles(chunks, after);
  for (const [c, d] of implicitDirectoryRequisites(chunks, (a, b) => comesAfter(after, a, b)))
    after.get(c.key)!.add(d.key);
  addOrderEdges(chunks, after);
  checkCycles(chunks, after);
  // Output order: order rank, then declaration order (Salt's).
  const sorted = [...chunks].sort((a, b) => a.rank - b.rank || a.index - b.index);
  return { chunks: sorted, byKey: new Map(sorted.map((c) => [c.key, c])), after };
}
