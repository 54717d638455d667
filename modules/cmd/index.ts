// The cmd state module: cmd.run, cmd.wait, cmd.script.
import type { StateModule } from '../../engine/contract.js';
import { run, wait } from './run.js';
import { script } from './script.js';

export const modules: Record<string, StateModule> = {
  cmd: { run, wait, script },
};
