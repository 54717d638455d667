// The pip state module: pip.installed (Python distributions installed with pip).
import type { StateModule } from '../../engine/contract.js';
import { installed } from './installed.js';

export const modules: Record<string, StateModule> = {
  pip: { installed },
};
