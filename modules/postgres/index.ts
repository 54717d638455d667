// Placeholder until the module lands: exports postgres_user, postgres_database, postgres_extension.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
