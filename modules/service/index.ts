// Placeholder until the module lands: exports service.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
