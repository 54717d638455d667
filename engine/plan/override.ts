// A saved plan and the command line's pillar override (`pillar='{...}'`, --pillar-override): the
// plan keeps a keyed digest of the override it was made with (digest.ts: keyed with the host's
// secrets when it holds one), and an apply with another override, or without the plan's, is
// refused before anything changes, as a plan for another host is.
import type { PlanKeys } from './digest.js';
import type { PlanHost } from './types.js';

/** The digest a plan records for an override (none: no override). */
export function overrideDigest(keys: PlanKeys, override: Record<string, unknown> | undefined): string | undefined {
  return override ? keys.digest({ pillarOverride: override }) : undefined;
}

/** Why the current run's override is not the plan's, or undefined when they agree. */
export function overrideRefusal(saved: PlanHost, current: PlanHost): string | undefined {
  const was = saved.pillarOverride;
  const now = current.pillarOverride;
  if (was === now) return undefined;
  if (!now) return "the plan was made with a pillar override: give the same pillar='{...}' (or --pillar-override)";
  if (!was) return 'the plan was made without a pillar override: apply it without pillar= / --pillar-override';
  return 'the pillar override is not the one the plan was made with (or a secret of the env changed)';
}
