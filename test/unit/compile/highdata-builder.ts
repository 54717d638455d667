// Builds HighData for tests the way the loader would: one StateDecl per `module.fun`, with lines.
import type { HighData, StateDecl } from '../../../engine/highdata.js';

let line = 0;

export function decl(
  id: string,
  modFun: string,
  args: Record<string, unknown> = {},
  o: { sls?: string; file?: string } = {},
): StateDecl {
  const [module, fun] = modFun.split('.') as [string, string];
  const file = o.file ?? `${(o.sls ?? 'main').replace(/\./g, '/')}.sls`;
  const at = ++line;
  return {
    id,
    sls: o.sls ?? 'main',
    module,
    fun,
    loc: { file, line: at },
    args: Object.entries(args).map(([key, value], i) => ({ key, value, loc: { file, line: at + i + 1 } })),
  };
}

export function high(states: StateDecl[], more: Partial<HighData> = {}): HighData {
  return { states, sls: [...new Set(states.map((s) => s.sls))], extend: [], exclude: [], ...more };
}
