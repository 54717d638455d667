// archive: archive.extracted.
import type { StateModule } from '../../engine/contract.js';
import { extracted } from './extracted.js';

export const modules: Record<string, StateModule> = {
  archive: { extracted },
};
