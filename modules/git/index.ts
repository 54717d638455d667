// The git state module: git.latest (a checkout that follows a remote's branch, tag or commit),
// git.config_set (a key of a repository's or a user's git config), git.config_unset (keys a regex names).
import type { StateModule } from '../../engine/contract.js';
import { configSet } from './config-set.js';
import { configUnset } from './config-unset.js';
import { latest } from './latest.js';

export const modules: Record<string, StateModule> = {
  git: { latest, config_set: configSet, config_unset: configUnset },
};
