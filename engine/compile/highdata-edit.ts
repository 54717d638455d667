// Applies `extend:` and `exclude:` to high data before chunking (Salt semantics: extend merges
// args into a state declared elsewhere, requisite lists are appended; exclude drops sls or IDs),
// then `use`/`use_in` (a state takes the arguments of another state of the same module that it
// does not set itself; never its name, names or requisites).
import type { ArgDecl, HighData, StateDecl } from '../highdata.js';
import { CompileError } from '../errors.js';
import { parseReqTargets, type ReqTarget } from './args.js';
import { locStr } from './types.js';

const LIST_KEYS = /^(require|watch|onchanges|onfail|prereq|listen|use)(_in)?(_any|_all)?$/;

function mergeArgs(base: ArgDecl[], extra: ArgDecl[]): ArgDecl[] {
  const out = [...base];
  for (const e of extra) {
    if (LIST_KEYS.test(e.key)) {
      out.push(e);
      continue;
    }
    const i = out.findIndex((a) => a.key === e.key);
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

export function applyExtendExclude(high: HighData): StateDecl[] {
  let states = high.states.map((s) => ({ ...s, args: [...s.args] }));
  for (const ex of high.extend) {
    const targets = states.filter((s) => s.id === ex.id && s.module === ex.module && (!ex.fun || s.fun === ex.fun));
    if (targets.length === 0) {
      throw new CompileError(locStr(ex.loc), `extend: no state '${ex.id}' with module '${ex.module}' to extend`);
    }
    for (const t of targets) t.args = mergeArgs(t.args, ex.args);
  }
  for (const ex of high.exclude) {
    if (ex.sls) states = states.filter((s) => s.sls !== ex.sls);
    if (ex.id) states = states.filter((s) => s.id !== ex.id);
  }
  return states;
}

/** Keys `use` never copies: the target's identity, requisites, and `use` itself. */
const NOT_USED = /^(name|names|(require|watch|onchanges|onfail|prereq|listen|use)(_in)?(_any|_all)?)$/;

function nameOf(s: StateDecl): string {
  const n = s.args.find((a) => a.key === 'name');
  return n ? String(n.value) : s.id;
}

function findUsed(states: StateDecl[], user: StateDecl, t: ReqTarget, key: string): StateDecl {
  const module = t.type === 'id' ? user.module : t.type;
  const hits = states.filter((s) => s !== user && s.module === module && (s.id === t.value || nameOf(s) === t.value));
  if (!hits.length) {
    throw new CompileError(
      locStr(t.loc),
      `state '${user.id}' (${user.module}.${user.fun}): ${key} target '${module}: ${t.value}' not found`,
    );
  }
  return hits[0]!;
}

export function applyUse(states: StateDecl[]): StateDecl[] {
  // who uses whom: `use` on the user, `use_in` on the used state
  const uses = new Map<StateDecl, StateDecl[]>();
  const add = (user: StateDecl, used: StateDecl) => uses.set(user, [...(uses.get(user) ?? []), used]);
  for (const s of states) {
    for (const a of s.args) {
      if (a.key !== 'use' && a.key !== 'use_in') continue;
      const where = `state '${s.id}' (${s.module}.${s.fun})`;
      for (const t of parseReqTargets(a.value, a.key, a.loc, where)) {
        const other = findUsed(states, s, t, a.key);
        if (a.key === 'use') add(s, other);
        else add(other, s);
      }
    }
  }
  if (!uses.size) return states;
  return states.map((s) => {
    const used = uses.get(s);
    if (!used) return s;
    const args = [...s.args];
    for (const u of used) {
      for (const a of u.args) {
        if (NOT_USED.test(a.key) || args.some((x) => x.key === a.key)) continue;
        args.push(a);
      }
    }
    return { ...s, args };
  });
}
