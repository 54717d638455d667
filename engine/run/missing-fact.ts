// A fact a state needs that is not on the host yet (a user, a unit, a package in the index...).
// In a dry run such a state is reported "would change after X" only when a pending upstream state
// X may create that fact (deferral.ts); anything else fails the dry run as it fails the real run.
import { StateError } from '../errors.js';

/** 'package': a package not installed yet; 'apt-package': a package name apt's lists do not know. */
export type FactKind = 'user' | 'group' | 'path' | 'unit' | 'package' | 'apt-package' | 'locale';

export class MissingFactError extends StateError {
  constructor(
    readonly kind: FactKind,
    readonly fact: string,
    state: string,
    reason: string,
  ) {
    super(state, reason);
  }
}
