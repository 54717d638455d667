// Placeholder until the module lands: exports test.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
