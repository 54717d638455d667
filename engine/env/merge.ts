// The one merge rule of the pillar (DESIGN.md): maps are merged key by key, lists and scalars
// of the later source replace the earlier ones.
import { mergeData } from '../render/dictkeys.js';

export type Tree = Record<string, unknown>;

export function isPlainMap(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Merges trees left to right; later ones win. Inputs are not modified. Integer-like keys keep their type and order (as
 * Salt's dicts).
 */
export function mergeTrees(...trees: Tree[]): Tree {
  return trees.reduce<Tree>((acc, t) => mergeData(acc, t), {});
}
