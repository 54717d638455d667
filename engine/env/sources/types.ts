// What every env source implements: look in one place, return the env text or null.
import type { Host } from '../../host/host.js';
import type { PlatformProbe } from './platform.js';

export interface SourceCtx {
  host: Host;
  /** Where $ENV_YML and the metadata URL overrides are read (the brine process's environment). */
  vars: Record<string, string | undefined>;
  /** Timeout of one metadata request. */
  timeoutMs: number;
  /** Reads a file on the host; absent: host.readFile. */
  read?: (path: string) => Promise<Buffer | null>;
  /**
   * The host's platform probe (DMI, labelled drives), shared by the sources of one search and
   * read once; absent, a source that needs it probes by itself.
   */
  platform?: () => Promise<PlatformProbe>;
}

export interface FoundEnv {
  text: string;
  /** Which source, for humans: 'ENV_YML:/path', '/app/env.yml', 'cidata:/dev/sr0', 'ec2:http://...'. */
  source: string;
}

export interface EnvSource {
  /** Short name: ENV_YML, app, cidata, config-2, ec2, gce. */
  readonly name: string;
  find(ctx: SourceCtx): Promise<FoundEnv | null>;
  /** Whether find() will read the platform probe (so a search can start it early). */
  needsPlatform?(ctx: SourceCtx): boolean;
}
