// High data -> chunks: one per ID x module.function x name, with `names` expanded, meta args
// separated from module args, and module args validated.
import type { ArgDecl, StateDecl } from '../highdata.js';
import { lookupFunction, type StateRegistry } from '../contract.js';
import { CompileError } from '../errors.js';
import { splitArgs, type ReqSpec } from './args.js';
import { takeIgnoredKwargs, takeInert, takeTemplateKwargs } from './inert.js';
import { closest } from './suggest.js';
import { validateArgs } from './validate.js';
import { type Chunk, chunkKey, locStr } from './types.js';

export interface RawChunk extends Omit<Chunk, 'requisites' | 'rank'> {
  reqSpecs: ReqSpec[];
}

/** Why `module.fun` is not a state function, with the closest known name. */
function unknownFunction(registry: StateRegistry, module: string, fun: string): string {
  if (!Object.hasOwn(registry, module)) {
    const all = Object.entries(registry).flatMap(([m, fs]) => Object.keys(fs).map((f) => `${m}.${f}`));
    const full = closest(`${module}.${fun}`, all) ?? closest(module, Object.keys(registry));
    return (
      `unknown state function '${module}.${fun}' (no state module ` +
      `'${module}'${full ? `; did you mean '${full}'?` : ''})`
    );
  }
  const c = closest(fun, Object.keys(registry[module]!));
  return `unknown state function '${module}.${fun}'${c ? ` (did you mean '${module}.${c}'?)` : ''}`;
}

function rankOf(order: ChunkOrder): number {
  if (order === undefined) return 10000;
  if (order === 'first') return -1e9;
  if (order === 'last') return 1e9;
  return order;
}
type ChunkOrder = Chunk['meta']['order'];
export { rankOf };

/** Expands `names` into (name, extra args) pairs. */
function expandNames(value: unknown, loc: StateDecl['loc'], where: string): Array<{ name: string; extra: ArgDecl[] }> {
  if (!Array.isArray(value)) throw new CompileError(locStr(loc), `${where}: 'names' must be a list`);
  return value.map((item) => {
    if (typeof item === 'string' || typeof item === 'number') return { name: String(item), extra: [] };
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const entries = Object.entries(item as Record<string, unknown>);
      if (entries.length === 1) {
        const [name, args] = entries[0] as [string, unknown];
        const list = Array.isArray(args) ? args : args == null ? [] : [args];
        const extra: ArgDecl[] = [];
        for (const a of list) {
          if (!a || typeof a !== 'object' || Array.isArray(a)) {
            throw new CompileError(locStr(loc), `${where}: 'names' entry '${name}' must list single-key argument maps`);
          }
          for (const [k, v] of Object.entries(a as Record<string, unknown>)) extra.push({ key: k, value: v, loc });
        }
        return { name, extra };
      }
    }
    throw new CompileError(locStr(loc), `${where}: 'names' entries must be names or "name: [args]" maps`);
  });
}

export function buildChunks(decls: StateDecl[], registry: StateRegistry): RawChunk[] {
  const out: RawChunk[] = [];
  const seen = new Map<string, StateDecl>();
  for (const d of decls) {
    const where = `state '${d.id}' (${d.module}.${d.fun})`;
    const fn = lookupFunction(registry, d.module, d.fun);
    if (!fn) throw new CompileError(locStr(d.loc), `${where}: ${unknownFunction(registry, d.module, d.fun)}`);
    const base = splitArgs(d.args, where);
    const names = base.names
      ? expandNames(base.names.value, base.names.loc, where)
      : [{ name: undefined, extra: [] as ArgDecl[] }];
    for (const n of names) {
      const split = n.extra.length ? splitArgs([...d.args.filter((a) => a.key !== 'names'), ...n.extra], where) : base;
      const args: Record<string, unknown> = { ...split.args };
      // null means unset, as in Salt (the function's default applies); an unknown key stays an error
      const known = (fn.schema.properties ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(args))
        if (v === null && Object.hasOwn(known, k) && !k.includes('.')) delete args[k];
      const inert = [...split.warnings, ...takeInert(fn, args), ...takeIgnoredKwargs(fn, args)];
      takeTemplateKwargs(fn, args);
      let name = n.name ?? (args.name === undefined ? d.id : String(args.name));
      // the root minion's os.path.expanduser: ~ is /root (~user stays, and fails as not absolute)
      if (fn.expandUser && /^~(\/|$)/.test(name)) name = `/root${name.slice(1)}`;
      args.name = name;
      validateArgs(fn, args, where, d.loc, split.argLocs);
      const key = chunkKey(d.module, d.id, name, d.fun);
      const prev = seen.get(key);
      if (prev) {
        throw new CompileError(
          locStr(d.loc),
          `${where}: conflicting ID, '${d.id}' with name '${name}' is already declared at ${locStr(prev.loc)}`,
        );
      }
      seen.set(key, d);
      out.push({
        key,
        id: d.id,
        name,
        sls: d.sls,
        module: d.module,
        fun: d.fun,
        loc: d.loc,
        args,
        meta: {
          onlyif: split.onlyif,
          unless: split.unless,
          creates: split.creates,
          failhard: split.failhard,
          order: split.order,
          ...(split.aggregate !== undefined ? { aggregate: split.aggregate } : {}),
          ...(split.retry ? { retry: split.retry } : {}),
          ...(split.parallel ? { parallel: true } : {}),
          ...(inert.length ? { inert } : {}),
        },
        reqSpecs: split.reqs,
        index: out.length,
        fn,
      });
    }
  }
  return out;
}
