// Placeholder until the module lands: exports docker_image, docker_container, docker_network, docker_volume, docker_compose.
import type { StateModule } from '../contract.js';

export const modules: Record<string, StateModule> = {};
