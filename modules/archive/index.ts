// archive: archive.extracted.
import type { StateModule } from '../contract.js';
import { extracted } from './extracted.js';

export const modules: Record<string, StateModule> = {
  archive: { extracted },
};
