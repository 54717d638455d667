// The grains cache (/run/brine/grains, engine/grains.ts) on real targets: a warm read gives the
// same grains as a cold one and as the programs the cache stands in for; a cache whose key no
// longer matches the target (another boot id, a container marker that appeared, systemd upgraded)
// is not used but rewritten; one whose key matches is (a forged value shows through, which is what
// makes the other cases meaningful).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAINS_CACHE_PATH, readGrains, virtualName } from '../../../engine/grains.js';
import { connectSsh, type SshHost } from '../../../engine/host/ssh.js';
import { startFleet, type Fleet, type LightTarget } from '../../harness/light-target.js';
import { sshTarget, startTargets, type Target } from '../../harness/nspawn.js';

type Run = (cmd: string) => Promise<{ stdout: string; exitCode: number }>;

/** The grains with the cache removed first, then read again from the cache it wrote. */
async function coldThenWarm(host: SshHost, run: Run) {
  await run(`rm -rf ${GRAINS_CACHE_PATH}`);
  const cold = await readGrains(host);
  const cache = (await run(`cat ${GRAINS_CACHE_PATH}`)).stdout;
  const warm = await readGrains(host);
  return { cold, warm, cache };
}

/** What the cache stands in for, asked of the programs themselves. */
async function fromPrograms(run: Run) {
  const out = (await run('uname -snrm; systemd-detect-virt; getconf _NPROCESSORS_ONLN; cat /proc/1/comm')).stdout;
  const [uname = '', virt = '', ncpu = '', comm = ''] = out.split('\n');
  const [kernel, nodename, kernelrelease, cpuarch] = uname.split(' ');
  return { kernel, nodename, kernelrelease, cpuarch, virtual: virtualName(virt), num_cpus: Number(ncpu), comm };
}

/** The addresses and default route as `ip -j` (JSON) gives them, in Salt's grains' names. */
async function addressesFromIp(run: Run) {
  const addrs = JSON.parse((await run('ip -j addr show')).stdout) as {
    ifname: string;
    addr_info: { family: string; local: string }[];
  }[];
  const ip_interfaces: Record<string, string[]> = {};
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  for (const i of addrs)
    for (const a of i.addr_info) {
      (ip_interfaces[i.ifname] ??= []).push(a.local);
      (a.family === 'inet' ? ipv4 : ipv6).push(a.local);
    }
  const [route] = JSON.parse((await run('ip -j route show default')).stdout) as { gateway?: string; dev?: string }[];
  return { ip_interfaces, ipv4, ipv6, route };
}

describe('grains cache on a light target', () => {
  let fleet: Fleet;
  let t: LightTarget;
  let host: SshHost;
  const run: Run = (cmd) => t.ssh(cmd);

  beforeAll(async () => {
    fleet = await startFleet(1);
    t = fleet.targets[0]!;
    host = await connectSsh(
      { host: t.host, port: t.port, user: 'root' },
      { identityFiles: [t.keyPath], knownHostsPath: fleet.knownHostsPath, sshConfigPath: null, agent: null },
    );
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    await fleet?.stop();
  });

  it('reads the same grains warm as cold, and as the programs say', async () => {
    const { cold, warm, cache } = await coldThenWarm(host, run);
    expect(warm).toEqual(cold);
    const boot = (await run('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    expect(cache.split('\n')[0]).toContain(boot);
    const p = await fromPrograms(run);
    expect(cold).toMatchObject({
      kernel: p.kernel,
      nodename: p.nodename,
      kernelrelease: p.kernelrelease,
      cpuarch: p.cpuarch,
      virtual: p.virtual,
      num_cpus: p.num_cpus,
      init: p.comm, // sshd is PID 1 here: no systemd
    });
    const ip = await addressesFromIp(run);
    expect(ip.ipv4.length).toBeGreaterThan(1); // the loopback's and the target's own
    expect(cold).toMatchObject({ ip_interfaces: ip.ip_interfaces, ipv4: ip.ipv4, ipv6: ip.ipv6 });
    expect(cold.default_route).toEqual({ interface: ip.route?.dev ?? null, gateway: ip.route?.gateway ?? null });
  });

  it('uses a cache whose key matches, and not one whose key changed', async () => {
    await coldThenWarm(host, run);
    const { virtual: real, osarch } = await readGrains(host);
    const key = (await run(`head -n1 ${GRAINS_CACHE_PATH}`)).stdout.trim();
    const forge = (k: string) =>
      run(
        `printf '%s\\nvirt=forged-virt\\ninitexe=/forged/init\\nosarch=forged-arch\\n' '${k}' > ${GRAINS_CACHE_PATH}`,
      );

    await forge(key);
    expect(await readGrains(host)).toMatchObject({ virtual: 'forged-virt', init: 'sshd', osarch: 'forged-arch' });

    // another boot: the same key with a different boot id
    const other = key.replace(/ [0-9a-f-]{36} /, ' 00000000-1111-2222-3333-444444444444 ');
    expect(other).not.toBe(key);
    await forge(other);
    expect((await readGrains(host)).virtual).toBe(real);
    expect((await run(`head -n1 ${GRAINS_CACHE_PATH}`)).stdout.trim()).toBe(key);

    // a container marker that appeared since the cache was written
    await forge(key);
    await run('touch /.dockerenv');
    try {
      const g = await readGrains(host);
      expect(g.virtual).not.toBe('forged-virt');
      expect((await run(`head -n1 ${GRAINS_CACHE_PATH}`)).stdout).toContain(' /.dockerenv ');
    } finally {
      await run('rm -f /.dockerenv');
    }

    // systemd (and its systemd-detect-virt) upgraded or reinstalled after the cache was written
    await forge(key);
    await run(`touch -d '+2 seconds' /var/lib/dpkg/info/systemd.list`);
    expect((await readGrains(host)).virtual).toBe(real);

    // dpkg (whose build says the osarch) upgraded, reinstalled or crossgraded
    await run(`touch -d '-1 hour' /var/lib/dpkg/info/systemd.list`);
    await forge(key);
    expect((await readGrains(host)).virtual).toBe('forged-virt');
    await run(`touch -d '+2 seconds' /var/lib/dpkg/info/dpkg.list`);
    expect(await readGrains(host)).toMatchObject({ virtual: real, osarch });
  });
});

describe('grains cache on a booted nspawn target', () => {
  let t: Target;
  let host: SshHost;
  const run: Run = (cmd) => t.ssh(cmd);

  beforeAll(async () => {
    [t] = (await startTargets(1)) as [Target];
    const s = sshTarget(t);
    host = await connectSsh(s.target, s.options);
  }, 300_000);

  afterAll(async () => {
    await host?.close();
    await t?.stop();
  });

  it('reads the same grains warm as cold, and as the programs say', async () => {
    const { cold, warm } = await coldThenWarm(host, run);
    expect(warm).toEqual(cold);
    const p = await fromPrograms(run);
    expect(cold).toMatchObject({
      kernel: p.kernel,
      nodename: p.nodename,
      kernelrelease: p.kernelrelease,
      cpuarch: p.cpuarch,
      virtual: 'systemd-nspawn',
      num_cpus: p.num_cpus,
      init: 'systemd',
    });
    expect(p.virtual).toBe('systemd-nspawn');
    // this target shares the machine's network: every address of the machine, and its route
    const ip = await addressesFromIp(run);
    expect(cold).toMatchObject({ ip_interfaces: ip.ip_interfaces, ipv4: ip.ipv4, ipv6: ip.ipv6 });
    expect(cold.default_route).toEqual({ interface: ip.route?.dev ?? null, gateway: ip.route?.gateway ?? null });
  });
});
