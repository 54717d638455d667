// network: interfaces configured through Debian's ifupdown (network.managed).
import type { StateModule } from '../../engine/contract.js';
import { managed } from './managed.js';

export const modules: Record<string, StateModule> = {
  network: { managed },
};
