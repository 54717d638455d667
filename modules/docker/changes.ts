// docker's changes, typed: apply reads `kind`, never the target's text; the target stays what the
// report shows (the container's name, a drifted field such as 'image' or 'ports', 'state').
import type { Kinded } from '../../engine/contract.js';

/** The container itself: created (after: its summary) or removed (before: its status). */
export type ContainerItselfChange = Kinded<'container', unknown, unknown>;
/** A field of the container's configuration that drifted (`target` names it): it is re-created. */
export type ConfigChange = Kinded<'config', unknown, unknown>;
/** Its run state: started or stopped (before: its status). */
export type RunStateChange = Kinded<'state', string, string>;

export type ContainerChange = ContainerItselfChange | ConfigChange | RunStateChange;
