// pkg's changes, typed: apply reads `kind` (and a hold's `pkg`), never the target's text; the
// target stays what the report shows ('nginx', 'nginx (hold)', 'libfoo (dependency)').
import type { Kinded } from '../../engine/contract.js';

/** A package to install, upgrade or remove: target is its name, before/after its versions. */
export type PackageChange = Kinded<'package', string, string>;
/** A hold to set or release on package `pkg`. */
export type HoldChange = Kinded<'hold', boolean, boolean> & { pkg: string };
/** What apt does along with the planned packages (its simulation): reported, not applied. */
export type AlongsideChange = Kinded<'dependency' | 'also-removed', string, string>;
/** The package index refresh (apt-get update) before the install. */
export type RefreshChange = Kinded<'refresh', never, never>;

export type PkgChange = PackageChange | HoldChange | AlongsideChange | RefreshChange;
