// The registry of state modules: `module.function` in an SLS resolves here. The caller (bin, tests)
// hands it to the engine's compile; it is frozen: a test that needs more modules builds its own.

import { lookupFunction as lookup, type StateFunction, type StateRegistry } from '../engine/contract.js';
import { modules as archive } from './archive/index.js';
import { modules as cmd } from './cmd/index.js';
import { modules as docker } from './docker/index.js';
import { modules as file } from './file/index.js';
import { modules as git } from './git/index.js';
import { modules as module } from './module/index.js';
import { modules as mysql } from './mysql/index.js';
import { modules as network } from './network/index.js';
import { modules as pkg } from './pkg/index.js';
import { modules as pip } from './pip/index.js';
import { modules as postgres } from './postgres/index.js';
import { modules as service } from './service/index.js';
import { modules as system } from './system/index.js';
import { modules as test } from './test/index.js';
import { modules as users } from './users/index.js';

export const registry: StateRegistry = Object.freeze({
  ...file,
  ...cmd,
  ...test,
  ...pkg,
  ...service,
  ...users,
  ...system,
  ...docker,
  ...postgres,
  ...mysql,
  ...git,
  ...module,
  ...archive,
  ...pip,
  ...network,
});

export function lookupFunction(module: string, fun: string): StateFunction | undefined {
  return lookup(registry, module, fun);
}
