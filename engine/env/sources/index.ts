// The env sources in their order of precedence (first found wins) and the search over them.
import type { Host } from '../../host/host.js';
import { cidataDrive, configDrive } from './drive.js';
import { appEnvFile, envYmlVar } from './file.js';
import { ec2Metadata, gceMetadata } from './metadata.js';
import { probePlatform, type PlatformProbe } from './platform.js';
import type { EnvSource, FoundEnv, SourceCtx } from './types.js';

export type { EnvSource, FoundEnv, SourceCtx } from './types.js';
export type { PlatformProbe } from './platform.js';

export const ENV_SOURCES: readonly EnvSource[] = [
  envYmlVar,
  appEnvFile,
  cidataDrive,
  configDrive,
  ec2Metadata,
  gceMetadata,
];

export interface FindEnvOptions {
  host: Host;
  /** Environment to read ENV_YML and BRINE_*_METADATA_URL from; default process.env. */
  vars?: Record<string, string | undefined>;
  /** Per metadata request; default 1000 ms. */
  timeoutMs?: number;
  /** Restrict/reorder the search (tests); default ENV_SOURCES. */
  sources?: readonly EnvSource[];
  /** Reads a file on the host (default host.readFile): lets a caller serve reads it made already. */
  read?: (path: string) => Promise<Buffer | null>;
  /** The platform probe, already read (default: probed when a source needs it). */
  platform?: Promise<PlatformProbe>;
}

/**
 * The first env found, or null when no source has one. The sources are asked strictly in order;
 * the platform probe they share (DMI, labelled drives: one round trip) starts at once, alongside
 * the file sources' reads, when a source will need it.
 */
export async function findEnv(o: FindEnvOptions): Promise<FoundEnv | null> {
  const sources = o.sources ?? ENV_SOURCES;
  let probe: Promise<PlatformProbe> | undefined;
  const ctx: SourceCtx = { host: o.host, vars: o.vars ?? process.env, timeoutMs: o.timeoutMs ?? 1000 };
  if (o.read) ctx.read = o.read;
  ctx.platform = () => (probe ??= o.platform ?? probePlatform(o.host));
  // awaited by the source that needs it
  if (sources.some((s) => s.needsPlatform?.(ctx))) ctx.platform().catch(() => {});
  for (const s of sources) {
    const found = await s.find(ctx);
    if (found) return found;
  }
  return null;
}
