// Env sources from cloud metadata services: EC2 (/latest/user-data, IMDSv2 token when offered)
// and GCE (instance attribute user-data, header Metadata-Flavor: Google). A service is only asked
// when the host's DMI shows its platform (platform.ts; OpenStack serves the EC2 paths too), or
// when its base URL was set explicitly with BRINE_EC2_METADATA_URL / BRINE_GCE_METADATA_URL (tests,
// or a cloud the DMI rules do not know).
import { httpOnHost } from './http.js';
import { probePlatform, shouldQueryMetadata } from './platform.js';
import type { EnvSource, SourceCtx } from './types.js';

export const EC2_DEFAULT = 'http://169.254.169.254';
export const GCE_DEFAULT = 'http://metadata.google.internal';

const base = (v: string | undefined, dflt: string): string => (v || dflt).replace(/\/+$/, '');

async function worthAsking(ctx: SourceCtx, source: 'ec2' | 'gce', explicitUrl: string | undefined): Promise<boolean> {
  if (explicitUrl) return true;
  const probe = ctx.platform ? await ctx.platform() : await probePlatform(ctx.host, []);
  return shouldQueryMetadata(source, probe.dmi, explicitUrl);
}

export const ec2Metadata: EnvSource = {
  name: 'ec2',
  needsPlatform: (ctx) => !ctx.vars.BRINE_EC2_METADATA_URL,
  async find(ctx) {
    if (!(await worthAsking(ctx, 'ec2', ctx.vars.BRINE_EC2_METADATA_URL))) return null;
    const root = base(ctx.vars.BRINE_EC2_METADATA_URL, EC2_DEFAULT);
    const t = { timeoutMs: ctx.timeoutMs };
    // IMDSv2: ask for a session token; IMDSv1 services answer 404/405 and are read without one.
    const tok = await httpOnHost(ctx.host, `${root}/latest/api/token`, {
      ...t,
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
    });
    if (tok === null) return null; // nothing listens there
    const headers: Record<string, string> =
      tok.status === 200 && tok.body.trim() ? { 'X-aws-ec2-metadata-token': tok.body.trim() } : {};
    const url = `${root}/latest/user-data`;
    const r = await httpOnHost(ctx.host, url, { ...t, headers });
    return r && r.status === 200 && r.body.trim() ? { text: r.body, source: `ec2:${url}` } : null;
  },
};

export const gceMetadata: EnvSource = {
  name: 'gce',
  needsPlatform: (ctx) => !ctx.vars.BRINE_GCE_METADATA_URL,
  async find(ctx) {
    if (!(await worthAsking(ctx, 'gce', ctx.vars.BRINE_GCE_METADATA_URL))) return null;
    const root = base(ctx.vars.BRINE_GCE_METADATA_URL, GCE_DEFAULT);
    const url = `${root}/computeMetadata/v1/instance/attributes/user-data`;
    const r = await httpOnHost(ctx.host, url, { timeoutMs: ctx.timeoutMs, headers: { 'Metadata-Flavor': 'Google' } });
    return r && r.status === 200 && r.body.trim() ? { text: r.body, source: `gce:${url}` } : null;
  },
};
