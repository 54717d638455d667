// Placeholder until the module lands: exports cmd.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
