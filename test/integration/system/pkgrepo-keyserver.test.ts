// pkgrepo.managed keyid + keyserver on a real Debian 12 root (a light SSH target in its own network
// namespace): the key is fetched with the target's gpg over HKP from a keyserver this test serves
// (GET /pks/lookup?op=get&search=0x...), written as the keyring the source's signed-by names, and
// apt then verifies a signed local repository with it. A second run fetches nothing.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.js';
import { connectSsh } from '../../../engine/host/ssh.js';
import { registry } from '../../../modules/index.js';
import { keyringFingerprints } from '../../../modules/pkg/openpgp.js';
import { type Fleet, type LightTarget, startFleet } from '../../harness/light-target.js';
import { checkApply, plan } from '../../support/checkapply.js';
import { buildSignedRepo } from './local-repo.js';

const managed = registry.pkgrepo!.managed!;
let fleet: Fleet;
let t: LightTarget;
let host: Host;
let server: Server;
let keyserver: string;
let fpr: string;
const lookups: string[] = [];
const repoDir = mkdtempSync(join(tmpdir(), 'brine-ks-repo-'));

beforeAll(async () => {
  const { keyArmored } = await buildSignedRepo(repoDir, [{ name: 'brine-ks-pkg', version: '1.0-1' }]);
  fpr = keyringFingerprints(Buffer.from(keyArmored))[0]!;
  fleet = await startFleet(1);
  t = fleet.targets[0]!;
  host = await connectSsh(
    { host: t.host, port: t.port, user: 'root' },
    { identityFiles: [fleet.keyPath], knownHostsPath: fleet.knownHostsPath, sshConfigPath: null, agent: null },
  );
  await host.mkdir('/srv/ks-repo', { recursive: true });
  for (const f of readdirSync(repoDir)) await host.writeFileAtomic(`/srv/ks-repo/${f}`, readFileSync(join(repoDir, f)));
  // the keyserver listens on the host's end of the target's veth (the target's address - 1)
  const hostIp = t.host.replace(/\d+$/, (n) => String(Number(n) - 1));
  server = createServer((req, res) => {
    lookups.push(req.url ?? '');
    const u = new URL(req.url ?? '/', 'http://x');
    const search = (u.searchParams.get('search') ?? '').replace(/^0x/i, '').toUpperCase();
    if (u.pathname === '/pks/lookup' && u.searchParams.get('op') === 'get' && search && fpr.endsWith(search)) {
      res.writeHead(200, { 'content-type': 'application/pgp-keys' }).end(keyArmored);
    } else {
      res.writeHead(404).end('No keys found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, hostIp, resolve));
  const addr = server.address();
  // by name, as a keyserver is named: the target has no DNS, so /etc/hosts says where it is
  expect((await t.ssh(`echo '${hostIp} keys.brine.test' >> /etc/hosts`)).exitCode).toBe(0);
  keyserver = `hkp://keys.brine.test:${typeof addr === 'object' && addr ? addr.port : 0}`;
}, 240_000);

afterAll(async () => {
  await host?.close();
  server?.close();
  await fleet?.stop();
  rmSync(repoDir, { recursive: true, force: true });
});

describe('pkgrepo.managed keyid + keyserver', () => {
  const args = () => ({
    name: 'deb file:/srv/ks-repo ./',
    file: '/etc/apt/sources.list.d/ks.list',
    keyid: fpr,
    keyserver,
  });

  it('the dry run says it would fetch the key, and fetches and writes nothing', async () => {
    const p = await plan(host, managed, args());
    expect(p.map((c) => [c.op, c.target, c.after])).toEqual([
      ['create', '/etc/apt/keyrings/ks.gpg', `fetch key 0x${fpr} from ${keyserver}`],
      ['create', '/etc/apt/sources.list.d/ks.list', undefined],
      ['run', 'apt-get update', 'refresh the index of ks.list'],
    ]);
    expect(lookups).toEqual([]);
    expect(await host.lstat('/etc/apt/keyrings/ks.gpg')).toBeNull();
    expect(await host.lstat('/etc/apt/sources.list.d/ks.list')).toBeNull();
  });

  it('fetches over HKP with gpg into the signed-by keyring; apt verifies the repository with it', async () => {
    const r = await checkApply(host, managed, args());
    expect(r.replanned).toEqual([]);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatch(new RegExp(`^/pks/lookup\\?op=get&.*search=0x${fpr}`));
    const ring = (await host.readFile('/etc/apt/keyrings/ks.gpg'))!;
    expect(keyringFingerprints(ring)).toContain(fpr);
    expect((await t.ssh('cat /etc/apt/sources.list.d/ks.list')).stdout).toBe(
      'deb [signed-by=/etc/apt/keyrings/ks.gpg] file:/srv/ks-repo ./',
    );
    // apt trusts the repository through that keyring: the package is a candidate from it
    expect((await t.ssh('apt-cache policy brine-ks-pkg')).stdout).toMatch(/Candidate: 1\.0-1/);
    // no gpg home or dirmngr is left behind
    expect((await t.ssh('ls -d /tmp/brine-gpg.* 2>/dev/null; pgrep -x dirmngr')).stdout).toBe('');
  }, 120_000);

  it('a keyring that holds the key is not fetched again (long or short keyid)', async () => {
    expect(await plan(host, managed, args())).toEqual([]);
    expect(await plan(host, managed, { ...args(), keyid: `0x${fpr.slice(-8)}` })).toEqual([]);
    expect(lookups).toHaveLength(1);
  });

  it('a key the keyserver does not have fails naming the keyserver; no keyring is written', async () => {
    const bad = { ...args(), file: '/etc/apt/sources.list.d/ks-bad.list', keyid: 'DEADBEEFDEADBEEF' };
    const err = await checkApply(host, managed, bad).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      new RegExp(`^deb file:/srv/ks-repo \\./: fetching key 0xDEADBEEFDEADBEEF from ${keyserver} failed: gpg: .+`),
    );
    expect(await host.lstat('/etc/apt/keyrings/ks-bad.gpg')).toBeNull();
  }, 120_000);
});
