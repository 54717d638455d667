// Creates a non-root login user on a target with the test key and passwordless sudo.
import type { Target } from '../../harness/nspawn.js';

export async function addSudoUser(t: Target, user: string): Promise<void> {
  const r = await t.ssh(
    `set -e; useradd -m -s /bin/bash ${user}; install -d -m 700 -o ${user} -g ${user} /home/${user}/.ssh; ` +
      `install -m 600 -o ${user} -g ${user} /root/.ssh/authorized_keys /home/${user}/.ssh/authorized_keys; ` +
      `echo '${user} ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/${user}; chmod 440 /etc/sudoers.d/${user}`,
  );
  if (r.exitCode !== 0) throw new Error(`adding sudo user ${user} failed: ${r.stderr}`);
}
