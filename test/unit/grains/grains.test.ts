import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { countCpus, parseGrains, readGrains } from '../../../engine/grains.js';
import { LocalHost } from '../../../engine/host/local.js';
import type { ExecOptions, ExecResult, Host } from '../../../engine/host/host.js';

describe('grains', () => {
  it('reads this machine in one exec round trip', async () => {
    const local = new LocalHost();
    let calls = 0;
    const counting = new Proxy(local, {
      get(t, p) {
        if (p === 'exec')
          return (argv: string[], o?: ExecOptions): Promise<ExecResult> => {
            calls++;
            return t.exec(argv, o);
          };
        return Reflect.get(t, p);
      },
    }) as Host;
    const g = await readGrains(counting);
    expect(calls).toBe(1);
    const osr = readFileSync('/etc/os-release', 'utf8');
    expect(g.kernel).toBe('Linux');
    expect(g.nodename).toBe(hostname());
    expect(g.host).toBe(hostname().split('.')[0]);
    expect(g.num_cpus).toBe(cpus().length);
    expect(Math.abs(g.mem_total - Math.floor(totalmem() / 1024 / 1024))).toBeLessThanOrEqual(1);
    expect(g.cpuarch).toMatch(/^(x86_64|aarch64)$/);
    if (/^ID=debian$/m.test(osr)) {
      expect(g.os).toBe('Debian');
      expect(g.os_family).toBe('Debian');
      expect(g.oscodename).toBe('bookworm');
      expect(g.osmajorrelease).toBe(12);
      expect(g.osfinger).toBe('Debian-12');
      expect(g.osrelease).toBe(readFileSync('/etc/debian_version', 'utf8').trim());
    }
    expect(g.ipv4).toContain('127.0.0.1');
    const route = execFileSync('ip', ['route', 'show', 'default'], { encoding: 'utf8' });
    const gw = /^default via (\S+) dev (\S+)/.exec(route);
    if (gw) expect(g.default_route).toEqual({ interface: gw[2], gateway: gw[1] });
    const addrs = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' }).trim().split('\n');
    expect(g.ipv4.length + g.ipv6.length).toBe(addrs.length);
    expect(g.ip_interfaces.lo).toContain('127.0.0.1');
    expect(typeof g.init).toBe('string');
    expect(g.osarch).toBe(execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim());
    expect(g.virtual.length).toBeGreaterThan(0);
  });

  it("counts the CPUs of the kernel's online list", () => {
    expect(countCpus('0')).toBe(1);
    expect(countCpus('0-1')).toBe(2);
    expect(countCpus('0-3,6,8-9')).toBe(7);
    expect(countCpus('junk')).toBe(0);
    expect(parseGrains('kernel=Linux\ncpus_online=0-3,6').num_cpus).toBe(5);
    expect(parseGrains('kernel=Linux\nncpu=3').num_cpus).toBe(3);
  });

  it('parses addresses, routes and os fields into Salt names', () => {
    const g = parseGrains(
      [
        'nodename=web1',
        'kernel=Linux',
        'kernelrelease=6.1.0-18-amd64',
        'cpuarch=x86_64',
        'hostname=web1',
        'fqdn=web1.example.org',
        'ncpu=4',
        'memkb=8048576',
        'os_id=ubuntu',
        'os_like=debian',
        'os_version_id=22.04',
        'os_codename=jammy',
        'virt=kvm',
        'init=systemd',
        '@ip',
        '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
        '2: eth0@if7    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever',
        '2: eth0@if7    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever',
        'default via 10.0.0.1 dev eth0 proto dhcp',
        'default via 10.0.0.254 dev eth1',
        '@ip-end',
        'x=1',
      ].join('\n'),
    );
    expect(g).toMatchObject({
      id: 'web1.example.org',
      host: 'web1',
      domain: 'example.org',
      os: 'Ubuntu',
      os_family: 'Debian',
      osrelease: '22.04',
      osmajorrelease: 22,
      osfinger: 'Ubuntu-22',
      num_cpus: 4,
      mem_total: 7859,
      virtual: 'kvm',
      init: 'systemd',
      ipv4: ['127.0.0.1', '10.0.0.5'],
      ipv6: ['fe80::1'],
      ip_interfaces: { lo: ['127.0.0.1'], eth0: ['10.0.0.5', 'fe80::1'] },
      default_route: { interface: 'eth0', gateway: '10.0.0.1' },
      osarch: 'amd64',
      saltversion: '3006.9',
      saltversioninfo: [3006, 9],
      pythonversion: [3, 10, 14, 'final', 0],
    });
  });
});
