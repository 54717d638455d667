// docker_image and docker_container against the host's dockerd (local transport): images made
// from local files (import of a busybox rootfs, build from a context, load of a saved archive), a
// container that publishes a port and answers, drift that re-creates it, stopped and absent. The
// same suite runs over SSH against a booted target's dockerd (test/integration/docker-target/).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { busyboxRootfs, ensureDockerd, freePort, shAsync } from './dockerd.js';
import { type DockerEnv, imageContainerCleanup, imageContainerSuite } from './suite.js';

const P = 'brine-h7-ic';

describe('docker_image and docker_container on the host dockerd', () => {
  let env: DockerEnv;

  beforeAll(async () => {
    await ensureDockerd();
    env = {
      host: new LocalHost(),
      sh: shAsync,
      tmp: mkdtempSync(join(tmpdir(), 'brine-docker-')),
      rootfs: busyboxRootfs(),
      bindAddr: '127.0.0.1',
      reachAddr: '127.0.0.1',
      freePort,
    };
    await imageContainerCleanup(env, P);
  });

  afterAll(async () => {
    if (!env) return;
    await imageContainerCleanup(env, P);
    // the earlier versions of rebuilt images are left untagged
    await shAsync('docker image prune -f --filter label=brine.source-hash >/dev/null');
    rmSync(env.rootfs, { recursive: true, force: true });
    rmSync(env.tmp, { recursive: true, force: true });
  });

  imageContainerSuite(() => env, P);
});
