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
  await waitForLogin(t, user);
}

/**
 * Resolves once `user` can log in over ssh. sshd refuses every non-root login while /run/nologin
 * exists (pam_nologin: the boot has not reached systemd-user-sessions), which root does not notice.
 */
async function waitForLogin(t: Target, user: string): Promise<void> {
  const args = ['-i', t.keyPath, '-p', String(t.port), '-l', user, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes'];
  args.push('-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${t.knownHostsPath}`, '-o', 'LogLevel=ERROR');
  let last = '';
  let nudged = false;
  for (const start = Date.now(); Date.now() < start + 60_000; ) {
    const r = await execa('ssh', [...args, t.host, 'true'], { reject: false, timeout: 15_000 });
    if (r.exitCode === 0) return;
    last = r.stderr.trim();
    if (!nudged && Date.now() > start + 20_000) {
      // the boot finished without removing /run/nologin: do what systemd-user-sessions does, say so
      nudged = true;
      const s = await t.ssh('systemctl status systemd-user-sessions --no-pager 2>&1 | head -5; rm -f /run/nologin');
      process.stderr.write(`test harness: ${t.name} still refused ${user} after 20 s (${last}); ${s.stdout}\n`);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  const why = await t.ssh(
    'ls -l /run/nologin /etc/nologin; systemctl --failed --no-legend; systemctl is-system-running',
  );
  throw new Error(`${user} cannot log in to ${t.name} after 60 s: ${last}\n${why.stdout}${why.stderr}`);
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
