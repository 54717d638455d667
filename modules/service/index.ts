// service: systemd units through systemctl on the Host.
import type { StateModule } from '../../engine/contract.js';
import { dead, disabled, enabled, masked, running, unmasked } from './service.js';

export const modules: Record<string, StateModule> = {
  service: { running, dead, enabled, disabled, masked, unmasked },
};
