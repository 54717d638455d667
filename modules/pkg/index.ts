// Placeholder until the module lands: exports pkg, pkgrepo.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
