// The registry of state modules: `module.function` in an SLS resolves here.

import type { StateFunction, StateModule } from './contract.js';
import { modules as cmd } from './cmd/index.js';
import { modules as docker } from './docker/index.js';
import { modules as file } from './file/index.js';
import { modules as git } from './git/index.js';
import { modules as pkg } from './pkg/index.js';
import { modules as postgres } from './postgres/index.js';
import { modules as service } from './service/index.js';
import { modules as system } from './system/index.js';
import { modules as test } from './test/index.js';
import { modules as users } from './users/index.js';

export const registry: Record<string, StateModule> = {
  ...file,
  ...cmd,
  ...test,
  ...pkg,
  ...service,
  ...users,
  ...system,
  ...docker,
  ...postgres,
  ...git,
};

export function lookupFunction(module: string, fun: string): StateFunction | undefined {
  const mod = registry[module];
  return mod && Object.hasOwn(mod, fun) ? mod[fun] : undefined;
}
