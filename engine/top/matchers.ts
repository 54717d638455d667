// Top-file matchers: which minions a target expression selects.
import { fnmatch } from '../fnmatch.js';
import { subdictMatch } from './subdict.js';

export interface MatchTarget {
  minionId: string;
  pillar: Record<string, unknown>;
  grains: Record<string, unknown>;
}

export const MATCHERS = ['glob', 'pcre', 'list', 'grain', 'grain_pcre', 'pillar', 'pillar_pcre', 'compound'] as const;
export type MatcherName = (typeof MATCHERS)[number];

export function matchOne(kind: string, expr: string, t: MatchTarget): boolean {
  switch (kind) {
    case 'glob':
      return fnmatch(t.minionId, expr);
    case 'pcre':
      return new RegExp(`^(?:${expr})`).test(t.minionId);
    case 'list':
      return expr
        .split(/[,\s]+/)
        .filter(Boolean)
        .includes(t.minionId);
    case 'grain':
      return subdictMatch(t.grains, expr);
    case 'grain_pcre':
      return subdictMatch(t.grains, expr, true);
    case 'pillar':
      return subdictMatch(t.pillar, expr);
    case 'pillar_pcre':
      return subdictMatch(t.pillar, expr, true);
    default:
      throw new Error(`unknown matcher '${kind}'`);
  }
}
