// Shared pieces of the file functions: argument schemas, the attributes of a state, parent checks.

import { dirname } from 'node:path';
import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { StateCtx } from '../../engine/contract.js';
import type { Attrs } from './attrs.js';
import { modeSchema, parseMode } from './mode.js';
import { probePaths, type PathFacts } from './probe.js';

export const str = { type: 'string' };
export const bool = { type: 'boolean' };
export const strOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
export const ownerSchema = { anyOf: [{ type: 'string' }, { type: 'integer' }] };

/** Schema properties shared by functions that set attributes. */
export const attrProps = { user: ownerSchema, group: ownerSchema, mode: modeSchema };

export function absPath(schemaName = 'name') {
  return { type: 'string', pattern: '^/', description: `${schemaName}: an absolute path` };
}

export function objectSchema(properties: Record<string, unknown>, required: string[] = ['name']) {
  return { type: 'object', properties: { name: absPath(), ...properties }, required, additionalProperties: false };
}

export interface AttrArgs {
  name: string;
  user?: string | number;
  group?: string | number;
  mode?: string | number;
}

export function attrsOf(args: AttrArgs, modeKey: 'mode' | 'dir_mode' | 'file_mode' = 'mode'): Attrs {
  const raw = (args as unknown as Record<string, unknown>)[modeKey];
  return {
    mode: parseMode(raw, `${args.name}: ${modeKey}`),
    user: args.user === undefined || args.user === null ? undefined : String(args.user),
    group: args.group === undefined || args.group === null ? undefined : String(args.group),
  };
}

/** Facts of a path and of its parent directory. */
export interface PathAndParent {
  path: PathFacts;
  parent: PathFacts;
}

export async function gatherPathsWithParents(host: Host, names: string[]): Promise<PathAndParent[]> {
  const m = await probePaths(
    host,
    names.flatMap((n) => [n, dirname(n)]),
  );
  return names.map((n) => ({ path: m.get(n)!, parent: m.get(dirname(n))! }));
}

/**
 * Throws when the parent directory is missing and makedirs is off, unless (dry run) a requisite
 * that would change first may create it: a package or a directory state.
 */
export function requireParent(
  name: string,
  parent: PathFacts,
  makedirs: boolean | undefined,
  pendingRequisite?: string,
): void {
  if (parent.type === 'directory' || parent.type === 'symlink') return;
  if (parent.type === 'missing' && (makedirs || pendingRequisite)) return;
  if (parent.type === 'missing')
    throw new MissingFactError(
      'path',
      dirname(name),
      name,
      `parent directory ${dirname(name)} does not exist (set makedirs: True)`,
    );
  throw new StateError(name, `parent ${dirname(name)} is not a directory`);
}

/** Creates the parent directory when missing; `known`: its facts from gather (no second look). */
export async function ensureParent(host: Host, name: string, dirMode?: number, known?: PathFacts): Promise<void> {
  const parent = dirname(name);
  if (known?.type === 'directory') return;
  if (known?.type === 'missing' || !(await host.stat(parent)))
    await host.mkdir(parent, { recursive: true, mode: dirMode ?? 0o755 });
}

/** gatherMany from a single-item gather. */
export function manyFromOne<A, F>(one: (host: Host, args: A, ctx: StateCtx<A>) => Promise<F>) {
  return (host: Host, items: Array<{ args: A; ctx: StateCtx<A> }>) =>
    Promise.all(items.map((i) => one(host, i.args, i.ctx)));
}
