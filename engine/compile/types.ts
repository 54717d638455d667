// Compiled state chunks: what the runner walks. One chunk per ID x module.function x name.
import type { SourceLoc } from '../highdata.js';
import type { StateFunction } from '../contract.js';

/** The requisite kinds that link chunks (use is accepted and ignored). */
export type ReqKind = 'require' | 'watch' | 'onchanges' | 'onfail' | 'prereq' | 'listen';
export const REQ_KINDS: readonly ReqKind[] = ['require', 'watch', 'onchanges', 'onfail', 'prereq', 'listen'];

/** One resolved requisite of a chunk: its kind, whether any/all targets count, and the target chunk keys. */
export interface Requisite {
  kind: ReqKind;
  /** require_any/onchanges_any/onfail_any...: one target suffices. onfail defaults to any (like Salt). */
  any: boolean;
  /** Keys of the target chunks. */
  targets: string[];
  /** Where the requisite was written (for messages). */
  loc: SourceLoc;
  /** How it was written (e.g. "file: /etc/x"), for messages. */
  label: string;
  /** True when it came from a *_in on the target side, or is implicit (directory ordering). */
  implicit?: boolean;
}

/** Arguments the engine handles itself, not passed to the module. */
export interface ChunkMeta {
  onlyif: string[];
  unless: string[];
  creates: string[];
  failhard: boolean;
  /** `aggregate: False` keeps the state out of a shared apply call (pkg.installed); default on. */
  aggregate?: boolean;
  /** 'first' | 'last' | number, as written. */
  order?: 'first' | 'last' | number;
  /** Salt's `parallel: True`: the run goes on while this state applies (its dependents wait). */
  parallel?: boolean;
  /** Salt's `retry`: run the state again until its result is `until` (real runs only). */
  retry?: RetrySpec;
  /** "ARG has no effect: WHY" for each inert argument given (StateFunction.inert): the result's warnings. */
  inert?: string[];
}

export interface RetrySpec {
  /** Runs in all, the first included (Salt's default 2). */
  attempts: number;
  /** The result that ends the retries (default true). */
  until: boolean;
  /** Seconds between attempts (default 30), plus up to `splay` random seconds. */
  interval: number;
  splay: number;
}

export interface Chunk {
  /** Salt's chunk key: module_|-id_|-name_|-fun */
  key: string;
  id: string;
  name: string;
  sls: string;
  module: string;
  fun: string;
  loc: SourceLoc;
  /** Validated module args (name filled in). */
  args: Record<string, unknown>;
  meta: ChunkMeta;
  requisites: Requisite[];
  /** Declaration index (stable output order). */
  index: number;
  /** Sort rank from order: first=-1e9, N, unspecified=10000, last=1e9 (Salt-like). */
  rank: number;
  fn: StateFunction;
}

/** The compiled run: chunks in output order plus the scheduling graph. */
export interface CompiledRun {
  chunks: Chunk[];
  byKey: Map<string, Chunk>;
  /** key -> keys that must finish before it starts (requisites, prereq inversion, order, implicit). */
  after: Map<string, Set<string>>;
}

export function chunkKey(module: string, id: string, name: string, fun: string): string {
  return `${module}_|-${id}_|-${name}_|-${fun}`;
}

export function chunkLabel(c: { module: string; id: string }): string {
  return `${c.module}: ${c.id}`;
}

export function locStr(loc: SourceLoc): string {
  return `${loc.file}:${loc.line}`;
}
