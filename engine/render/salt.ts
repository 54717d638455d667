// The `salt` dict of templates: the execution functions real SLS call while rendering
// (pillar.get with nested `a:b:c` keys, grains.get, config.get, grains.filter_by, defaults.merge).
// Anything else is an error naming the function, never a silent empty value.
import deepmerge from 'deepmerge';
import { ExecSession } from './exec/session.js';
import { localFunctions } from './exec/local-functions.js';
import { bindArgs } from './kwargs.js';
import { isMap, TemplateFault } from './pyvalue.js';
import type { MemberSource } from './patch-runtime.js';

type Dict = Record<string, unknown>;

const replaceArrays = { arrayMerge: (_a: unknown[], b: unknown[]) => b };

/** Value at a `a:b:c` path (list indexes allowed), or `undefined`. */
export function traverse(data: unknown, key: string, delimiter = ':'): unknown {
  let v: unknown = data;
  for (const part of key.split(delimiter)) {
    if (Array.isArray(v) && /^-?\d+$/.test(part)) v = v[Number(part)];
    else if (isMap(v) && Object.hasOwn(v, part)) v = v[part];
    else return undefined;
  }
  return v;
}

function getter(what: string, data: () => Dict) {
  return (...args: unknown[]) => {
    const [key, dflt, delimiter, merge] = bindArgs(
      what,
      ['key', 'default', 'delimiter', 'merge', 'merge_nested_lists', 'pillarenv', 'saltenv'],
      args.length === 0 ? [''] : args,
    );
    const v = traverse(data(), String(key), delimiter === undefined || delimiter === null ? ':' : String(delimiter));
    const d = dflt === undefined ? '' : dflt;
    if (v === undefined) return d;
    if (merge && isMap(v) && isMap(d)) return deepmerge(d, v, replaceArrays);
    return v;
  };
}

export interface SaltData {
  pillar: Dict;
  grains: Dict;
  opts: Dict;
  /** The state tree (cp.list_master*). */
  statesDir: string;
  /** Runs target functions (cmd.run, file.file_exists...); absent: they fail naming the function. */
  exec?: ExecSession;
  /** log.* when there is no session. */
  log?: (level: string, message: string) => void;
}

export class SaltFunctions implements MemberSource {
  private readonly fns: Record<string, (...a: unknown[]) => unknown>;

  constructor(private readonly data: SaltData) {
    const pillarGet = getter('pillar.get', () => data.pillar);
    const grainsGet = getter('grains.get', () => data.grains);
    const configGet = (...args: unknown[]) => {
      const [key, dflt, delimiter] = bindArgs(
        'config.get',
        ['key', 'default', 'delimiter', 'merge', 'omit_opts', 'omit_pillar', 'omit_master', 'omit_grains'],
        args,
      );
      const d = delimiter == null ? ':' : String(delimiter);
      for (const src of [data.opts, data.grains, data.pillar]) {
        const v = traverse(src, String(key), d);
        if (v !== undefined) return v;
      }
      return dflt === undefined ? '' : dflt;
    };
    const items =
      (what: string, src: () => Dict) =>
      (...keys: unknown[]) => {
        const [first] = bindArgs(what, ['*'], keys);
        if (first === undefined) return src();
        const out: Dict = {};
        for (const k of keys) if (typeof k === 'string') out[k] = traverse(src(), k) ?? '';
        return out;
      };
    this.fns = {
      'pillar.get': pillarGet,
      'pillar.item': items('pillar.item', () => data.pillar),
      'pillar.items': () => data.pillar,
      'pillar.raw': () => data.pillar,
      'grains.get': grainsGet,
      'grains.item': items('grains.item', () => data.grains),
      'grains.items': () => data.grains,
      'grains.filter_by': (...args: unknown[]) => {
        const [lookup, grain, merge, dflt, base] = bindArgs(
          'grains.filter_by',
          ['lookup_dict', 'grain', 'merge', 'default', 'base'],
          args,
        );
        if (!isMap(lookup)) throw new TemplateFault('grains.filter_by: lookup_dict must be a dict');
        const g = traverse(data.grains, grain == null ? 'os_family' : String(grain));
        const keys = Array.isArray(g) ? g.map(String) : g === undefined ? [] : [String(g)];
        const hit = keys.find((k) => Object.hasOwn(lookup, k));
        let ret: unknown = hit !== undefined ? lookup[hit] : lookup[dflt == null ? 'default' : String(dflt)];
        if (base != null && isMap(lookup[String(base)]))
          ret = deepmerge(lookup[String(base)] as Dict, isMap(ret) ? ret : {}, replaceArrays);
        if (isMap(merge)) ret = deepmerge(isMap(ret) ? ret : {}, merge, replaceArrays);
        return ret ?? null;
      },
      'config.get': configGet,
      'config.option': (...args: unknown[]) => {
        const [key, dflt] = bindArgs('config.option', ['value', 'default'], args);
        const v = traverse(data.opts, String(key));
        return v === undefined ? (dflt === undefined ? '' : dflt) : v;
      },
      'defaults.merge': (...args: unknown[]) => {
        const [dest, upd, mergeLists, inPlace] = bindArgs(
          'defaults.merge',
          ['dest', 'upd', 'merge_lists', 'in_place'],
          args,
        );
        if (!isMap(dest) || !isMap(upd)) throw new TemplateFault('defaults.merge: dest and upd must be dicts');
        const merged = deepmerge(dest, upd, mergeLists ? {} : replaceArrays);
        if (inPlace === false) return merged;
        for (const k of Object.keys(dest)) delete dest[k];
        Object.assign(dest, merged);
        return null;
      },
      'defaults.deepcopy': (v: unknown) => structuredClone(v),
      'slsutil.merge': (...args: unknown[]) => {
        const [a, b, , , mergeLists] = bindArgs(
          'slsutil.merge',
          ['obj_a', 'obj_b', 'strategy', 'renderer', 'merge_lists'],
          args,
        );
        return deepmerge(isMap(a) ? a : {}, isMap(b) ? b : {}, mergeLists ? {} : replaceArrays);
      },
      ...localFunctions({
        statesDir: data.statesDir,
        log: (level, msg) => (data.exec ? data.exec.log(level, msg) : data.log?.(level, msg)),
      }),
    };
  }

  brineLookup(name: string): unknown {
    const fn = this.fns[name];
    if (fn) return fn;
    if (ExecSession.has(name)) {
      if (this.data.exec) return this.data.exec.fn(name);
      return () => {
        throw new TemplateFault(`salt['${name}'] runs on the target, and this render has no target`);
      };
    }
    // `salt.pillar.get(...)`: Salt's attribute sugar for salt['pillar.get'](...)
    if (!name.includes('.'))
      return {
        brineLookup: (f: string) => this.brineLookup(`${name}.${f}`),
        brineHas: (f: string) => this.brineHas(`${name}.${f}`),
      } satisfies MemberSource;
    // like Salt's loader dict: a function brine lacks is undefined (not callable; calling it fails naming it)
    return undefined;
  }

  brineHas(name: string): boolean {
    return Object.hasOwn(this.fns, name) || ExecSession.has(name);
  }

  /** Every function name templates can call. */
  names(): string[] {
    return [...Object.keys(this.fns), ...ExecSession.names()].sort();
  }
}
