// Every env source against the real thing: loop-mounted filesystems labelled cidata / config-2,
// a metadata server on 127.0.0.1 speaking the EC2 and GCE paths and headers, files on the host.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { cidataDrive, configDrive } from '../../../engine/env/sources/drive.js';
import { appEnvFile, envYmlVar } from '../../../engine/env/sources/file.js';
import { findEnv, type FoundEnv } from '../../../engine/env/sources/index.js';
import { ec2Metadata, gceMetadata } from '../../../engine/env/sources/metadata.js';
import { makeDrive, mountsOf, type TestDrive } from './drives.js';
import { startMetadataServer, type MetadataServer } from './metadata-server.js';

const env = (who: string): string => `#cloud-config\nappliance:\n  domain: ${who}.example.org\n`;
// hosts may drop the final newline of a command's output; YAML does not care
const norm = (f: FoundEnv | null): FoundEnv | null => (f ? { ...f, text: `${f.text.trimEnd()}\n` } : f);
const brineTmpDirs = (): string[] => readdirSync('/tmp').filter((f) => f.startsWith('brine-env.'));

describe('env sources', () => {
  let root: string;
  let host: LocalHost;
  let cidata: TestDrive;
  let config2: TestDrive;
  let meta: MetadataServer;
  let vars: Record<string, string>;

  beforeAll(async () => {
    expect(process.getuid?.(), 'the drive tests mount filesystems: run as root').toBe(0);
    root = mkdtempSync(join(tmpdir(), 'brine-env-root-'));
    host = new LocalHost({ root });
    // ext4: this machine's kernel has no vfat/iso9660 (what cloud images usually carry); the
    // source does not care which filesystem the labelled drive holds
    cidata = makeDrive({ label: 'cidata', fs: 'ext4', file: 'user-data', text: env('cidata') });
    config2 = makeDrive({ label: 'config-2', fs: 'ext4', file: 'openstack/latest/user_data', text: env('config2') });
    meta = await startMetadataServer();
    vars = { BRINE_EC2_METADATA_URL: meta.url, BRINE_GCE_METADATA_URL: meta.url };
  });
  afterAll(async () => {
    cidata?.detach();
    config2?.detach();
    await meta?.close();
    await host?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('cidata: mounts read-only, reads user-data, unmounts and removes its mount point', async () => {
    const before = brineTmpDirs();
    const found = norm(await findEnv({ host, vars, sources: [cidataDrive] }));
    expect(found).toEqual({ text: env('cidata'), source: `cidata:${cidata.device}` });
    expect(mountsOf(cidata.device)).toEqual([]);
    expect(brineTmpDirs()).toEqual(before);
  });

  it('a drive that is already mounted is read where it is and left mounted', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'brine-premounted-'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('mount', ['-o', 'ro', config2.device, mnt]);
    try {
      const found = norm(await findEnv({ host, vars, sources: [configDrive] }));
      expect(found).toEqual({ text: env('config2'), source: `config-2:${config2.device}` });
      expect(mountsOf(config2.device)).toEqual([mnt]);
    } finally {
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true });
    }
  });

  it('config-2: reads openstack/latest/user_data', async () => {
    const found = norm(await findEnv({ host, vars, sources: [configDrive] }));
    expect(found?.source).toBe(`config-2:${config2.device}`);
    expect(found?.text).toBe(env('config2'));
    expect(mountsOf(config2.device)).toEqual([]);
  });

  it('ec2: asks for an IMDSv2 token, then reads /latest/user-data with it', async () => {
    meta.ec2UserData = env('ec2');
    meta.seen.length = 0;
    const found = norm(await findEnv({ host, vars, sources: [ec2Metadata] }));
    expect(found).toEqual({ text: env('ec2'), source: `ec2:${meta.url}/latest/user-data` });
    expect(meta.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /latest/api/token', 'GET /latest/user-data']);
    meta.ec2UserData = null;
    expect(await findEnv({ host, vars, sources: [ec2Metadata] })).toBeNull(); // 404: no user-data
  });

  it('gce: sends Metadata-Flavor: Google', async () => {
    meta.gceUserData = env('gce');
    meta.seen.length = 0;
    const found = norm(await findEnv({ host, vars, sources: [gceMetadata] }));
    expect(found?.source).toBe(`gce:${meta.url}/computeMetadata/v1/instance/attributes/user-data`);
    expect(found?.text).toBe(env('gce'));
    expect(meta.seen[0]?.headers['metadata-flavor']).toBe('Google');
    meta.gceUserData = null;
  });

  it('metadata calls give up quickly: nothing listening, or a server that never answers', async () => {
    const silent: Server = createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      for (const url of [`http://127.0.0.1:${port}`, 'http://127.0.0.1:1']) {
        const t0 = Date.now();
        const found = norm(
          await findEnv({
            host,
            vars: { BRINE_EC2_METADATA_URL: url, BRINE_GCE_METADATA_URL: url },
            timeoutMs: 500,
            sources: [ec2Metadata, gceMetadata],
          }),
        );
        expect(found).toBeNull();
        expect(Date.now() - t0).toBeLessThan(3000);
      }
    } finally {
      silent.close();
    }
  });

  it('precedence: ENV_YML, /app/env.yml, cidata, config-2, ec2, gce; first found wins', async () => {
    writeFileSync(join(root, 'given.yml'), env('envyml'));
    mkdirSync(join(root, 'app'), { recursive: true });
    writeFileSync(join(root, 'app/env.yml'), env('app'));
    meta.ec2UserData = env('ec2');
    meta.gceUserData = env('gce');
    const all = { ...vars, ENV_YML: '/given.yml' };
    const who = async (v: Record<string, string>): Promise<string | undefined> =>
      (await findEnv({ host, vars: v }))?.text.match(/domain: (\w+)\./)?.[1];

    expect(await who(all)).toBe('envyml');
    expect(await who(vars)).toBe('app');
    rmSync(join(root, 'app/env.yml'));
    expect(await who(vars)).toBe('cidata');
    cidata.detach();
    expect(await who(vars)).toBe('config2');
    config2.detach();
    expect(await who(vars)).toBe('ec2');
    meta.ec2UserData = null;
    expect(await who(vars)).toBe('gce');
    meta.gceUserData = null;
    expect(await findEnv({ host, vars })).toBeNull();
    // the file sources read through the host (here: under its root), not the controller's /
    expect(existsSync('/given.yml')).toBe(false);
    expect(await envYmlVar.find({ host, vars: { ENV_YML: '/missing.yml' }, timeoutMs: 500 })).toBeNull();
    expect(await appEnvFile.find({ host, vars: {}, timeoutMs: 500 })).toBeNull();
  });
});
