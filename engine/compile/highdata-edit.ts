// Applies `extend:` and `exclude:` to high data before chunking (Salt semantics: extend merges
// args into a state declared elsewhere, requisite lists are appended; exclude drops sls or IDs).
import type { ArgDecl, HighData, StateDecl } from '../highdata.js';
import { CompileError } from '../errors.js';
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
