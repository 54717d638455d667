// The packages a pkg state names (`name` or `pkgs:` with optional version pins) and version
// matching for pins (exact, or a glob with `*`).
import type { JSONSchema } from '../../engine/contract.js';
import { fnmatch } from '../../engine/fnmatch.js';
import type { PkgState } from './facts.js';

/** A Debian package name, optionally with :arch. */
export const PKG_NAME = '^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$';
/**
 * What a state may name: Salt takes any string and fails when the package manager does not know
 * it, so brine only refuses what apt would read as an option (a leading '-') or an empty name.
 */
const STATE_PKG_NAME = '^[^-\\s]';

export type PkgsArg = Array<string | Record<string, string | number | null>>;

export interface Wanted {
  name: string;
  /** Exact version or glob ('2.10*'); absent means any version. */
  version?: string;
}

// an empty list is valid, as in Salt: the state has nothing to do
export const pkgsSchema: JSONSchema = {
  type: 'array',
  items: {
    anyOf: [
      { type: 'string', pattern: STATE_PKG_NAME },
      {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        propertyNames: { pattern: STATE_PKG_NAME },
        additionalProperties: { type: ['string', 'number', 'null'] },
      },
    ],
  },
};

/** `name` must be a package name unless `pkgs` (or `sources`) lists the packages. */
export const nameUnlessPkgs: JSONSchema = {
  if: { anyOf: [{ required: ['pkgs'] }, { required: ['sources'] }] },
  then: {},
  else: { properties: { name: { type: 'string', pattern: STATE_PKG_NAME } } },
};

export function wantedPackages(args: { name: string; pkgs?: PkgsArg; version?: string | number }): Wanted[] {
  if (!args.pkgs) return [{ name: args.name, ...(args.version != null ? { version: String(args.version) } : {}) }];
  return args.pkgs.map((p) => {
    if (typeof p === 'string') return { name: p };
    const [name, version] = Object.entries(p)[0]!;
    return { name, ...(version != null && version !== '' ? { version: String(version) } : {}) };
  });
}

export function versionMatches(version: string, pin: string): boolean {
  return pin.includes('*') ? fnmatch(version, pin) : version === pin;
}

/** The version apt should install for a pin: the exact pin when apt knows it, else the highest glob match. */
export function resolvePin(s: PkgState, pin: string): string | null {
  return s.versions.find((v) => versionMatches(v, pin)) ?? null;
}
