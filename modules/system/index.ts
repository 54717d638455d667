// Placeholder until the module lands: exports timezone, locale.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
