// Placeholder until the module lands: exports file.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
