// The platform probe on a real host: one command reads DMI and finds the labelled drives, and the
// metadata services are asked only where DMI shows their platform (or their URL was set). The
// DMI files are read under the LocalHost's root, so a test can give a host a platform.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecOptions, ExecResult } from '../../../engine/host/host.js';
import { LocalHost } from '../../../engine/host/local.js';
import { findEnv } from '../../../engine/env/sources/index.js';
import { cloudsFromDmi, probePlatform } from '../../../engine/env/sources/platform.js';
import { makeDrive, type TestDrive } from './drives.js';
import { startMetadataServer, type MetadataServer } from './metadata-server.js';

/** A real LocalHost that records the commands it runs. */
class RecordingHost extends LocalHost {
  readonly ran: string[][] = [];
  override exec(argv: string[], opts?: ExecOptions): Promise<ExecResult> {
    this.ran.push(argv);
    return super.exec(argv, opts);
  }
}

const isHttp = (argv: string[]): boolean => argv[0] === 'timeout' && argv.includes('bash');

function withDmi(root: string, dmi: Record<string, string>): void {
  const d = join(root, 'sys/class/dmi/id');
  rmSync(join(root, 'sys'), { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  for (const [k, v] of Object.entries(dmi)) writeFileSync(join(d, k), `${v}\n`);
}

describe('platform probe', () => {
  let root: string;
  let meta: MetadataServer;

  beforeAll(async () => {
    expect(process.getuid?.(), 'the drive test attaches a loop device: run as root').toBe(0);
    root = mkdtempSync(join(tmpdir(), 'brine-probe-root-'));
    meta = await startMetadataServer();
  });
  afterAll(async () => {
    await meta?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('reads DMI (under the root) and finds a labelled drive in one command', async () => {
    withDmi(root, { sys_vendor: 'OpenStack Foundation', product_name: 'OpenStack Nova', chassis_asset_tag: '' });
    let drive: TestDrive | undefined;
    const host = new RecordingHost({ root });
    try {
      drive = makeDrive({ label: 'CIDATA', fs: 'ext2', file: 'user-data', text: 'x: 1\n' });
      const p = await probePlatform(host);
      expect(host.ran).toHaveLength(1);
      expect(p.dmi).toEqual({ sys_vendor: 'OpenStack Foundation', product_name: 'OpenStack Nova' });
      expect(cloudsFromDmi(p.dmi)).toEqual(['openstack']);
      expect(p.drives.CIDATA).toEqual({ device: drive.device, mountpoint: null });
      expect(p.drives.cidata).toBeUndefined();
    } finally {
      drive?.detach();
      await host.close();
    }
  });

  it('no cloud in DMI and no URL set: the whole search is one command, no metadata request', async () => {
    withDmi(root, { sys_vendor: 'QEMU', product_name: 'Standard PC (Q35 + ICH9, 2009)', bios_vendor: 'SeaBIOS' });
    const host = new RecordingHost({ root });
    try {
      expect(await findEnv({ host, vars: {} })).toBeNull();
      expect(host.ran.filter(isHttp)).toEqual([]);
      expect(host.ran).toHaveLength(1);
    } finally {
      await host.close();
    }
  });

  it('DMI says GCE: only the GCE service is asked, at its real name (which does not resolve here)', async () => {
    withDmi(root, { sys_vendor: 'Google', product_name: 'Google Compute Engine', bios_vendor: 'Google' });
    const host = new RecordingHost({ root });
    try {
      const t0 = Date.now();
      expect(await findEnv({ host, vars: {}, timeoutMs: 500 })).toBeNull();
      const http = host.ran.filter(isHttp);
      expect(http).toHaveLength(1);
      expect(http[0]).toContain('metadata.google.internal');
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      await host.close();
    }
  });

  it('a URL set explicitly is asked whatever DMI says', async () => {
    withDmi(root, { sys_vendor: 'LENOVO', product_name: '20XW0026GE' });
    meta.gceUserData = '#cloud-config\nappliance:\n  domain: gce.example.org\n';
    meta.seen.length = 0;
    const host = new RecordingHost({ root });
    try {
      const found = await findEnv({ host, vars: { BRINE_GCE_METADATA_URL: meta.url } });
      expect(found?.source).toBe(`gce:${meta.url}/computeMetadata/v1/instance/attributes/user-data`);
      // EC2 (no URL set, no EC2 in DMI) was skipped; GCE was asked once
      expect(meta.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
        'GET /computeMetadata/v1/instance/attributes/user-data',
      ]);
      expect(host.ran.filter(isHttp)).toHaveLength(1);
    } finally {
      meta.gceUserData = null;
      await host.close();
    }
  });
});
