// Creates a non-root login user on a target with the test key and passwordless sudo; starts the
// target the push tests share.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startTargets, type Target } from '../../harness/nspawn.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

export async function addSudoUser(t: Target, user: string): Promise<void> {
  const r = await t.ssh(
    `set -e; useradd -m -s /bin/bash ${user}; install -d -m 700 -o ${user} -g ${user} /home/${user}/.ssh; ` +
      `install -m 600 -o ${user} -g ${user} /root/.ssh/authorized_keys /home/${user}/.ssh/authorized_keys; ` +
      `echo '${user} ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/${user}; chmod 440 /etc/sudoers.d/${user}`,
  );
  if (r.exitCode !== 0) throw new Error(`adding sudo user ${user} failed: ${r.stderr}`);
}

/**
 * What the push tests start with: brine built, one booted target with the sudo user `deploy`, its
 * host key written to `knownHosts`.
 */
export async function startPushTarget(knownHosts: string): Promise<Target> {
  await execa('node', ['scripts/build.mjs'], { cwd: REPO });
  const [t] = (await startTargets(1)) as [Target];
  await addSudoUser(t, 'deploy');
  writeFileSync(knownHosts, readFileSync(t.knownHostsPath, 'utf8'));
  return t;
}
