// The git state module: git.latest (a checkout that follows a remote's branch, tag or commit).
import type { StateModule } from '../../engine/contract.js';
import { latest } from './latest.js';

export const modules: Record<string, StateModule> = {
  git: { latest },
};
