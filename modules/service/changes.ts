// service's changes, typed: apply and refreshCoveredBy read `kind` (and before/after), never the
// target's text; the target stays what the report shows ('running', 'enabled', 'masked'...).
import type { Kinded } from '../../engine/contract.js';

/** systemd reloads its unit files (the unit's changed on disk). */
export type DaemonReloadChange = Kinded<'daemon-reload', never, string>;
/** The unit is masked (after true) or unmasked (after false). */
export type MaskChange = Kinded<'masked', boolean, boolean>;
/** The unit is enabled or disabled (after: 'enabled' | 'disabled'). */
export type EnableChange = Kinded<'enabled', string, 'enabled' | 'disabled'>;
/** The service is started (after 'active') or stopped (after 'inactive'). */
export type RunningChange = Kinded<'running', string, 'active' | 'inactive'>;
/** A running service restarts (its unit file changed). */
export type RestartChange = Kinded<'restart', never, string>;

export type ServiceChange = DaemonReloadChange | MaskChange | EnableChange | RunningChange | RestartChange;
