// Env sources from cloud metadata services: EC2 (/latest/user-data, IMDSv2 token when offered)
// and GCE (instance attribute user-data, header Metadata-Flavor: Google). Base URLs can be pointed
// elsewhere for tests with BRINE_EC2_METADATA_URL / BRINE_GCE_METADATA_URL.
import { httpOnHost } from './http.js';
import type { EnvSource } from './types.js';

export const EC2_DEFAULT = 'http://169.254.169.254';
export const GCE_DEFAULT = 'http://metadata.google.internal';

const base = (v: string | undefined, dflt: string): string => (v || dflt).replace(/\/+$/, '');

export const ec2Metadata: EnvSource = {
  name: 'ec2',
  async find(ctx) {
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
  async find(ctx) {
    const url = `${base(ctx.vars.BRINE_GCE_METADATA_URL, GCE_DEFAULT)}/computeMetadata/v1/instance/attributes/user-data`;
    const r = await httpOnHost(ctx.host, url, { timeoutMs: ctx.timeoutMs, headers: { 'Metadata-Flavor': 'Google' } });
    return r && r.status === 200 && r.body.trim() ? { text: r.body, source: `gce:${url}` } : null;
  },
};
