// git.latest on this machine (local transport) against a bare repository: clone, no-op, update
// with the revision change reported, local changes with and without force_reset, a rewritten
// remote, tags, branches, shallow clones, force_clone. The same suite runs over SSH on a docker
// target (test/integration/docker-target/git.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { shAsync } from './dockerd.js';
import { gitLatestSuite } from './git-suite.js';
import type { DockerEnv } from './suite.js';

describe('git.latest on this machine', () => {
  let env: DockerEnv;
  beforeAll(() => {
    const tmp = mkdtempSync(join(tmpdir(), 'brine-git-'));
    env = {
      host: new LocalHost(),
      sh: shAsync,
      tmp,
      rootfs: '',
      bindAddr: '127.0.0.1',
      reachAddr: '127.0.0.1',
      freePort: async () => 0,
    };
  });
  afterAll(() => rmSync(env.tmp, { recursive: true, force: true }));
  gitLatestSuite(() => env);
});
