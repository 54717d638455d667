// timezone, locale, sysctl, cron, alternatives, debconf, mount, host (/etc/hosts): system-wide settings of a Debian
// host.
import type { StateModule } from '../../engine/contract.js';
import * as alternatives from './alternatives.js';
import * as cron from './cron.js';
import * as debconf from './debconf.js';
import * as host from './host.js';
import * as locale from './locale.js';
import * as mount from './mount.js';
import * as sysctl from './sysctl.js';
import * as timezone from './timezone.js';

export const modules: Record<string, StateModule> = {
  timezone: { system: timezone.system },
  locale: { present: locale.present, system: locale.system },
  sysctl: { present: sysctl.present },
  cron: { present: cron.present, absent: cron.absent, env_present: cron.envPresent, env_absent: cron.envAbsent },
  alternatives: { install: alternatives.install, set: alternatives.set, remove: alternatives.remove },
  debconf: { set: debconf.set },
  host: { present: host.present, absent: host.absent, only: host.only },
  mount: { mounted: mount.mounted, unmounted: mount.unmounted },
};
