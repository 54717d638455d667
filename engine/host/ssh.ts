// The ssh2 transport (first landing: types; the Host implementation follows).
export interface SshTarget {
  host: string;
  port?: number;
  user?: string;
}
export interface SshOptions {
  identityFiles?: string[];
  knownHostsPath?: string;
  acceptNew?: boolean;
  sshConfigPath?: string | null;
  agent?: string | null;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  maxChannels?: number;
}
