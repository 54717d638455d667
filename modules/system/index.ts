// timezone, locale, sysctl, cron: system-wide settings of a Debian host.
import type { StateModule } from '../contract.js';
import * as cron from './cron.js';
import * as locale from './locale.js';
import * as sysctl from './sysctl.js';
import * as timezone from './timezone.js';

export const modules: Record<string, StateModule> = {
  timezone: { system: timezone.system },
  locale: { present: locale.present, system: locale.system },
  sysctl: { present: sysctl.present },
  cron: { present: cron.present, absent: cron.absent },
};
