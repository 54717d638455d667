// The one merge rule of the pillar (DESIGN.md): maps are merged key by key, lists and scalars
// of the later source replace the earlier ones.
import deepmerge from 'deepmerge';

export type Tree = Record<string, unknown>;

const replaceArrays = (_target: unknown[], source: unknown[]): unknown[] => source;

export function isPlainMap(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Merges trees left to right; later ones win. Inputs are not modified. */
export function mergeTrees(...trees: Tree[]): Tree {
  return deepmerge.all<Tree>([{}, ...trees], { arrayMerge: replaceArrays, isMergeableObject: isPlainMap });
}
