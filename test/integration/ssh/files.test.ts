// H3's file/cmd integration suite, unchanged, against the booted Debian target over SSH: once as
// root (sftp for files) and once as a non-root login user with sudo (every operation via sudo -n).
import { afterAll, beforeAll } from 'vitest';
import { connectSsh } from '../../../engine/host/ssh.js';
import { sshTarget, startTargets, type Target } from '../../harness/nspawn.js';
import { defineFileSuite } from '../files/suite.js';
import { addSudoUser } from './sudo-user.js';

let t: Target;
beforeAll(async () => {
  [t] = (await startTargets(1)) as [Target];
  await addSudoUser(t, 'deploy');
});
afterAll(async () => {
  await t?.stop();
});

defineFileSuite('the booted Debian target over SSH as root', async () => {
  const { target, options } = sshTarget(t);
  return connectSsh(target, options);
});
defineFileSuite('the booted Debian target over SSH as a sudo user', async () => {
  const { target, options } = sshTarget(t, 'deploy');
  return connectSsh(target, options);
});
