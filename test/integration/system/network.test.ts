// network.managed on a real Debian 12 root with Debian's ifupdown and bridge-utils, in a light SSH
// target: its own network namespace, so the bridge it brings up touches nothing of this machine.
// The packages are fetched with this machine's apt (apt-get download) and installed with dpkg.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.js';
import { connectSsh } from '../../../engine/host/ssh.js';
import { registry } from '../../../modules/index.js';
import { type Fleet, type LightTarget, startFleet } from '../../harness/light-target.js';
import { checkApply, plan } from '../../support/checkapply.js';
import { runSls, statesTree, summary } from './target.js';

const managed = registry.network!.managed!;
let fleet: Fleet;
let t: LightTarget;
let host: Host;
const debs = mkdtempSync(join(tmpdir(), 'brine-ifupdown-'));
const FILE = '/etc/network/interfaces.d/br-lab';
const sh = async (cmd: string) => (await t.ssh(cmd)).stdout;

beforeAll(async () => {
  await execa('apt-get', ['download', 'ifupdown', 'bridge-utils'], { cwd: debs });
  fleet = await startFleet(1);
  t = fleet.targets[0]!;
  host = await connectSsh(
    { host: t.host, port: t.port, user: 'root' },
    { identityFiles: [fleet.keyPath], knownHostsPath: fleet.knownHostsPath, sshConfigPath: null, agent: null },
  );
  for (const f of readdirSync(debs)) await host.writeFileAtomic(`/root/${f}`, readFileSync(join(debs, f)));
  const r = await t.ssh('dpkg -i /root/*.deb && mkdir -p /run/network');
  expect(r.exitCode, r.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await host?.close();
  await fleet?.stop();
  rmSync(debs, { recursive: true, force: true });
});

const br = { name: 'br-lab', type: 'bridge', proto: 'static', ipaddr: '10.77.0.1', netmask: '255.255.255.0' };
const STANZA = (mask: string) =>
  `auto br-lab\niface br-lab inet static\n    address 10.77.0.1\n    netmask ${mask}\n` +
  '    bridge_ports none\n    bridge_stp off\n';

describe('network.managed (ifupdown)', () => {
  it('an SLS with Salt forms (stp: off, ports: none) dry-runs exactly and changes nothing', async () => {
    const tree = statesTree({
      'net.sls': `lab-bridge:
  network.managed:
    - name: br-lab
    - type: bridge
    - enabled: true
    - ports: none
    - proto: static
    - ipaddr: 10.77.0.1
    - netmask: 255.255.255.0
    - stp: off
`,
    });
    try {
      const r = await runSls(host, tree.dir, ['net'], true);
      expect(summary(r)).toEqual([['network.managed br-lab', null, [`create ${FILE}`, 'update br-lab']]]);
      expect(r.results[0]!.changes[0]!.diff).toContain('+    bridge_stp off');
    } finally {
      tree.cleanup();
    }
    expect(await host.lstat(FILE)).toBeNull();
    expect((await t.ssh('ip link show br-lab')).exitCode).not.toBe(0);
  });

  it('writes the stanza and brings the bridge up with ifup; a second plan is empty', async () => {
    const args = { ...br, ports: 'none', stp: false };
    const r = await checkApply(host, managed, args);
    expect(r.planned.map((c) => [c.op, c.target, c.after])).toEqual([
      ['create', FILE, undefined],
      ['update', 'br-lab', 'up'],
    ]);
    expect(r.replanned).toEqual([]);
    expect(await sh(`cat ${FILE}`)).toBe(STANZA('255.255.255.0').trimEnd());
    expect(await sh('ip -o -4 addr show dev br-lab')).toContain('inet 10.77.0.1/24');
    expect(await sh('ip -d -o link show dev br-lab')).toMatch(/ bridge .*stp_state 0 /);
    expect(await plan(host, managed, args)).toEqual([]);
  }, 120_000);

  it('a changed stanza restarts the interface (ifdown + ifup) with the new address', async () => {
    const args = { ...br, netmask: '255.255.0.0', ports: 'none', stp: false };
    const r = await checkApply(host, managed, args);
    expect(r.planned.map((c) => [c.op, c.target])).toEqual([
      ['update', FILE],
      ['run', 'br-lab'],
    ]);
    expect(r.replanned).toEqual([]);
    expect(await sh('ip -o -4 addr show dev br-lab')).toContain('inet 10.77.0.1/16');
  }, 120_000);

  it('enabled: False takes the interface down and drops the auto line', async () => {
    const args = { ...br, netmask: '255.255.0.0', ports: 'none', stp: false, enabled: false };
    const r = await checkApply(host, managed, args);
    expect(r.planned.map((c) => [c.op, c.target, c.after])).toEqual([
      ['update', FILE, undefined],
      ['update', 'br-lab', 'down'],
    ]);
    expect(r.replanned).toEqual([]);
    expect(await sh(`cat ${FILE}`)).not.toContain('auto br-lab');
    expect(await sh('ip -o link show br-lab 2>/dev/null | grep -c "[<,]UP[,>]" || true')).toBe('0');
  }, 120_000);

  it('an interface /etc/network/interfaces defines itself is refused, naming the file', async () => {
    await t.ssh("printf 'iface br-old inet manual\\n' >> /etc/network/interfaces");
    await expect(plan(host, managed, { ...br, name: 'br-old' })).rejects.toThrow(
      'br-old: /etc/network/interfaces defines br-old too; ifup would read it twice',
    );
  });
});
