// pkg (installed, latest, removed, purged, uptodate) and pkgrepo (managed, absent): Debian's
// apt/dpkg driven through the Host. Every function takes the 'dpkg' lock: one apt call at a time.
import type { StateModule } from '../../engine/contract.js';
import { installed, latest } from './installed.js';
import { absent, managed } from './pkgrepo.js';
import { purged, removed } from './removed.js';
import { uptodate } from './uptodate.js';

export const modules: Record<string, StateModule> = {
  pkg: { installed, latest, removed, purged, uptodate },
  pkgrepo: { managed, absent },
};
