// Placeholder until the module lands: exports user, group, ssh_auth.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
