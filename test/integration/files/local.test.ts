// The file/cmd suite against the local host, under a scratch --root.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../../engine/host/local.js';
import { countingHost } from './drive.js';
import { defineFileSuite } from './suite.js';

defineFileSuite(
  'the local host (scratch root)',
  async () => new LocalHost({ root: mkdtempSync(join(tmpdir(), 'brine-root-')) }),
);
defineFileSuite('the local host (no root)', async () => new LocalHost());
// The same host behind a wrapper: facts come from the batched shell probe (what remote hosts use).
defineFileSuite(
  'the local host through the shell probe',
  async () => countingHost(new LocalHost({ root: mkdtempSync(join(tmpdir(), 'brine-root-')) })).host,
);
