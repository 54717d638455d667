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

/** A package installed from a .deb on the target (pkg.installed sources): `deb` is its path. */
export type DebChange = PackageChange & { deb: string };

export type PkgChange = PackageChange | HoldChange | AlongsideChange | RefreshChange;

/** pkgrepo.managed: the signing key, the source file, the index refresh of that source. */
export type RepoChange = Kinded<'key' | 'keyserver' | 'source-file', string, string> | Kinded<'refresh', never, string>;
/** pkgrepo.absent: a file removed (`path`: the source file or a key). */
export type RepoFileRemoval = Kinded<'removed', never, never> & { path: string };
