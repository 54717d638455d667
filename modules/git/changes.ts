// git's changes, typed: apply reads `kind`, never the target's text; the target stays what the
// report shows, Salt's words ('revision', 'branch', 'forced update', 'remote origin', the checkout).
import type { Kinded } from '../../engine/contract.js';

/** git.latest: the clone, the remote's URL, the revision, a hard reset, the branch. */
export type LatestChange = Kinded<'clone' | 'remote' | 'revision' | 'forced-update' | 'branch', unknown, unknown>;
/** git.config_set: the key's values (in order). */
export type ConfigChange = Kinded<'config', string[], string[]>;
