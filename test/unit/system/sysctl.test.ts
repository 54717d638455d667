// sysctl.present plan as data.
import { describe, expect, it } from 'vitest';
import { planSysctl, procPath, type SysctlFacts, withSetting } from '../../../modules/system/sysctl.js';

const f = (o: Partial<SysctlFacts>): SysctlFacts => ({
  exists: true,
  running: '0',
  writable: true,
  config: null,
  ...o,
});

describe('sysctl.present', () => {
  it('maps the name to /proc/sys', () => {
    expect(procPath('net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(procPath('net/ipv4/conf/eth0.100/forwarding')).toBe('/proc/sys/net/ipv4/conf/eth0.100/forwarding');
  });

  it('sets the line in place, appends it, drops later duplicates', () => {
    expect(withSetting(null, 'vm.swappiness', 10)).toBe('vm.swappiness = 10\n');
    expect(withSetting('# keep\nvm.swappiness=60\nfs.file-max = 9\nvm.swappiness = 1\n', 'vm.swappiness', '10')).toBe(
      '# keep\nvm.swappiness = 10\nfs.file-max = 9\n',
    );
    expect(withSetting('fs.file-max = 9', 'vm.swappiness', 10)).toBe('fs.file-max = 9\nvm.swappiness = 10\n');
  });

  it('plans the config line and the running value; nothing when both hold (whitespace-insensitive)', () => {
    const a = { name: 'net.ipv4.ip_local_port_range', value: '1024  65000' };
    expect(planSysctl(a, f({ running: '1024\t65000', config: 'net.ipv4.ip_local_port_range = 1024 65000\n' }))).toEqual(
      [],
    );
    const p = planSysctl(a, f({ running: '32768\t60999' }));
    expect(p.map((c) => [c.op, c.kind, c.target, c.before, c.after])).toEqual([
      ['create', 'config', '/etc/sysctl.d/99-salt.conf', undefined, undefined],
      ['update', 'value', 'net.ipv4.ip_local_port_range', '32768 60999', '1024 65000'],
    ]);
    expect(p[0]!.diff).toContain('+net.ipv4.ip_local_port_range = 1024 65000');
    expect(planSysctl({ ...a, config: '/etc/sysctl.d/50-x.conf' }, f({ running: '1024 65000' }))[0]!.target).toBe(
      '/etc/sysctl.d/50-x.conf',
    );
  });

  it('read-only /proc/sys: only the config line, and a warning', () => {
    const warned: string[] = [];
    expect(
      planSysctl(
        { name: 'vm.swappiness', value: 10 },
        f({ running: '60', writable: false, config: 'vm.swappiness = 10\n' }),
        (m) => warned.push(m),
      ),
    ).toEqual([]);
    expect(warned).toEqual([
      'vm.swappiness is 60 and cannot be set to 10 here: /proc/sys/vm/swappiness is read-only (a container?); ' +
        '/etc/sysctl.d/99-salt.conf sets it at boot',
    ]);
  });

  it('an unknown parameter fails the state (in the dry run too)', () => {
    expect(() => planSysctl({ name: 'vm.nonsense', value: 1 }, f({ exists: false }))).toThrow(
      /no kernel parameter 'vm.nonsense'/,
    );
  });
});
