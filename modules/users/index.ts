// user, group, ssh_auth and ssh_known_hosts: accounts through getent and the shadow tools, keys in authorized_keys.
import type { StateModule } from '../../engine/contract.js';
import * as knownHosts from './known-hosts.js';
import * as group from './group.js';
import * as sshAuth from './ssh-auth.js';
import * as user from './user.js';

export const modules: Record<string, StateModule> = {
  user: { present: user.present, absent: user.absent },
  group: { present: group.present, absent: group.absent },
  ssh_auth: { present: sshAuth.present, absent: sshAuth.absent },
  ssh_known_hosts: { present: knownHosts.present, absent: knownHosts.absent },
};
