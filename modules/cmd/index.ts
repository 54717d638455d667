// The cmd state module: cmd.run, cmd.wait.
import type { StateModule } from '../contract.js';
import { run, wait } from './run.js';

export const modules: Record<string, StateModule> = {
  cmd: { run, wait },
};
