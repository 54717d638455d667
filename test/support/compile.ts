// compile with a module registry handed in, as bin does: the real one (modules/index.ts) unless a
// test brings its own (test/unit/run/probe.ts).
import type { StateRegistry } from '../../engine/contract.js';
import { compile as compileWith, type CompiledRun } from '../../engine/compile/index.js';
import type { HighData } from '../../engine/highdata.js';
import { registry } from '../../modules/index.js';

export function compile(high: HighData, modules: StateRegistry = registry): CompiledRun {
  return compileWith(high, modules);
}
