// H3's file/cmd integration suite, unchanged, against the booted Debian target over SSH: once as
// root (sftp for files) and once as a non-root login user with sudo (every operation via sudo -n);
// then both again with the changes made through the batch stream of waves (batched-host.ts), with a
// dd and an mv per file and with every file through the stream's tar (ssh-ops-tar.ts).
import { afterAll, beforeAll } from 'vitest';
import { connectSsh } from '../../../engine/host/ssh.js';
import { sshTarget, startTargets, type Target } from '../../harness/nspawn.js';
import { defineFileSuite } from '../files/suite.js';
import { addSudoUser } from './sudo-user.js';
import { batchedHost } from './batched-host.js';

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
// the same suite with every change made by the batch script that waves use (engine/host/ssh-ops.ts)
defineFileSuite('the booted Debian target over SSH as root, changes through the batch stream', async () => {
  const { target, options } = sshTarget(t);
  return batchedHost(await connectSsh(target, options)).host;
});
defineFileSuite('the booted Debian target over SSH as a sudo user, changes through the batch stream', async () => {
  const { target, options } = sshTarget(t, 'deploy');
  return batchedHost(await connectSsh(target, options)).host;
});
// the same, every write by the stream's one tar (staged next to its target, renamed per directory)
defineFileSuite("the booted Debian target over SSH as root, every write by the batch stream's tar", async () => {
  const { target, options } = sshTarget(t);
  return batchedHost(await connectSsh(target, { ...options, tarFrom: 1 })).host;
});
defineFileSuite("the booted Debian target over SSH as a sudo user, every write by the batch stream's tar", async () => {
  const { target, options } = sshTarget(t, 'deploy');
  return batchedHost(await connectSsh(target, { ...options, tarFrom: 1 })).host;
});
