// system's changes, typed: apply reads `kind` (and a debconf answer's `question`), never the
// target's text; the target stays what the report shows (a file's path, the parameter, the locale...).
import type { Kinded } from '../../engine/contract.js';

/** A configuration file edited (its diff shown): sysctl.d, /etc/locale.gen, /etc/default/locale, fstab. */
export type ConfigFileChange = Kinded<'config', never, never>;

/** timezone.system: the /etc/localtime link, /etc/timezone, the hardware clock's UTC/LOCAL in /etc/adjtime. */
export type TimezoneChange = Kinded<'localtime' | 'timezone-file' | 'hardware-clock', string, string>;
/** sysctl.present: the config file, and the running value (`target` is the parameter). */
export type SysctlChange = ConfigFileChange | Kinded<'value', string | null, string>;
/** locale.present: /etc/locale.gen, then locale-gen (the locale generated). */
export type LocaleChange = ConfigFileChange | Kinded<'generate', never, string>;
/** debconf.set: one answer (`question`: its name; hidden when a password). */
export type DebconfChange = Kinded<'answer', string, string> & { question: string };
/** mount.mounted / unmounted: fstab, a mount or unmount, a remount with the wanted options. */
export type MountChange = ConfigFileChange | Kinded<'mount' | 'remount', string, string>;
