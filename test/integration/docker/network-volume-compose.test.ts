// docker_network, docker_volume and docker_compose against the host's dockerd and docker-compose
// (local transport): a user network with subnet/gateway (drift re-creates it and re-attaches its
// containers), a volume, and a compose project brought up, changed (only the changed service is
// re-created) and down. The same suite runs over SSH against a booted target's dockerd
// (test/integration/docker-target/).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { busyboxRootfs, ensureDockerd, freePort, shAsync } from './dockerd.js';
import { type DockerEnv, networkVolumeComposeSuite, nvcCleanup } from './suite.js';

const P = 'brine-h7-nvc';
const PROJECT = 'brineh7proj';

describe('docker_network, docker_volume, docker_compose on the host dockerd', () => {
  let env: DockerEnv;

  beforeAll(async () => {
    await ensureDockerd();
    env = {
      host: new LocalHost(),
      sh: shAsync,
      tmp: mkdtempSync(join(tmpdir(), 'brine-compose-')),
      rootfs: busyboxRootfs(),
      bindAddr: '127.0.0.1',
      reachAddr: '127.0.0.1',
      freePort,
    };
    await nvcCleanup(env, P, PROJECT);
  });

  afterAll(async () => {
    if (!env) return;
    await nvcCleanup(env, P, PROJECT, true);
    rmSync(env.rootfs, { recursive: true, force: true });
    rmSync(env.tmp, { recursive: true, force: true });
  });

  networkVolumeComposeSuite(() => env, P, PROJECT);
});
