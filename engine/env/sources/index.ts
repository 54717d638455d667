// The env sources in their order of precedence (first found wins) and the search over them.
import type { Host } from '../../host/host.js';
import { cidataDrive, configDrive } from './drive.js';
import { appEnvFile, envYmlVar } from './file.js';
import { ec2Metadata, gceMetadata } from './metadata.js';
import type { EnvSource, FoundEnv } from './types.js';

export type { EnvSource, FoundEnv, SourceCtx } from './types.js';

export const ENV_SOURCES: readonly EnvSource[] = [envYmlVar, appEnvFile, cidataDrive, configDrive, ec2Metadata, gceMetadata];

export interface FindEnvOptions {
  host: Host;
  /** Environment to read ENV_YML and BRINE_*_METADATA_URL from; default process.env. */
  vars?: Record<string, string | undefined>;
  /** Per metadata request; default 1000 ms. */
  timeoutMs?: number;
  /** Restrict/reorder the search (tests); default ENV_SOURCES. */
  sources?: readonly EnvSource[];
}

/** The first env found, or null when no source has one. */
export async function findEnv(o: FindEnvOptions): Promise<FoundEnv | null> {
  const ctx = { host: o.host, vars: o.vars ?? process.env, timeoutMs: o.timeoutMs ?? 1000 };
  for (const s of o.sources ?? ENV_SOURCES) {
    const found = await s.find(ctx);
    if (found) return found;
  }
  return null;
}
