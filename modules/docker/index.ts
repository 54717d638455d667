// The docker state modules: images, containers, networks, volumes and compose projects, driven
// through the `docker` CLI of the Engine the host runs.
import type { StateModule } from '../../engine/contract.js';
import * as compose from './compose.js';
import * as container from './container.js';
import * as image from './image.js';
import * as network from './network.js';
import * as volume from './volume.js';

export const modules: Record<string, StateModule> = {
  docker_image: { present: image.present, absent: image.absent },
  docker_container: { running: container.running, stopped: container.stopped, absent: container.absent },
  docker_network: { present: network.present, absent: network.absent },
  docker_volume: { present: volume.present, absent: volume.absent },
  docker_compose: { up: compose.up, down: compose.down },
};
