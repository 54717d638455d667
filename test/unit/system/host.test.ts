// host.present / host.absent as data: /etc/hosts edited line by line.
import { describe, expect, it } from 'vitest';
import { addressesOf, withHost, withOnly, withoutHost } from '../../../modules/system/hosts-file.js';
import { wantedHosts } from '../../../modules/system/host.js';

const HOSTS = '127.0.0.1\tlocalhost\n# the LAN\n10.0.0.5  db db.lan   # primary\n::1 localhost ip6-localhost\n';

describe('/etc/hosts edits', () => {
  it('adds a name to the first line of its address, keeping the comment; a new address gets a line', () => {
    expect(withHost(HOSTS, '10.0.0.5', 'pg')).toBe(
      HOSTS.replace('10.0.0.5  db db.lan   # primary', '10.0.0.5\t\tdb db.lan pg   # primary'),
    );
    expect(withHost(HOSTS, '10.0.0.9', 'cache')).toBe(`${HOSTS}10.0.0.9\t\tcache\n`);
    expect(withHost(HOSTS, '10.0.0.5', 'db')).toBe(HOSTS);
    expect(withHost('', '10.0.0.9', 'cache')).toBe('10.0.0.9\t\tcache\n');
  });
  it('removes a name; a line left without names goes', () => {
    expect(withoutHost(HOSTS, '10.0.0.5', 'db')).toBe(
      HOSTS.replace('10.0.0.5  db db.lan   # primary', '10.0.0.5\t\tdb.lan   # primary'),
    );
    expect(withoutHost('1.2.3.4 only\n', '1.2.3.4', 'only')).toBe('');
    expect(withoutHost(HOSTS, '10.0.0.6', 'db')).toBe(HOSTS);
    expect(addressesOf(HOSTS, 'localhost')).toEqual(['127.0.0.1', '::1']);
  });
});

describe('host.present / host.absent', () => {
  it('present adds the name on each ip; another address is a warning, or removed with clean', () => {
    const warned: string[] = [];
    const next = wantedHosts({ name: 'db', ip: ['10.0.0.7'] }, HOSTS, false, (m) => warned.push(m));
    expect(next).toBe(`${HOSTS}10.0.0.7\t\tdb\n`);
    expect(warned).toEqual(['Host db present for IP address 10.0.0.5 (clean: True removes it, or add 10.0.0.5 to ip)']);
    expect(wantedHosts({ name: 'db', ip: '10.0.0.7', clean: true }, HOSTS, false)).toBe(
      `${HOSTS.replace('10.0.0.5  db db.lan', '10.0.0.5\t\tdb.lan')}10.0.0.7\t\tdb\n`,
    );
    expect(() => wantedHosts({ name: 'db', ip: 'not-an-ip' }, HOSTS, false)).toThrow(
      'Invalid IP Address for db (not-an-ip)',
    );
  });
  it('absent removes the pair only', () => {
    expect(wantedHosts({ name: 'localhost', ip: '::1' }, HOSTS, true)).toBe(
      HOSTS.replace('::1 localhost ip6-localhost', '::1\t\tip6-localhost'),
    );
  });
});

describe('host.only', () => {
  it('sets exactly the names of an address: its first line gets them, other lines of it go; [] removes it', () => {
    const two = '10.0.0.5 a\n10.0.0.5 b # x\n';
    expect(withOnly(two, '10.0.0.5', ['c', 'd'])).toBe('10.0.0.5\t\tc d\n');
    expect(withOnly('10.0.0.5 c d\n', '10.0.0.5', ['c', 'd'])).toBe('10.0.0.5 c d\n');
    expect(withOnly(two, '10.0.0.5', [])).toBe('');
    expect(withOnly(HOSTS, '10.0.0.9', ['x'])).toBe(`${HOSTS}10.0.0.9\t\tx\n`);
  });
});
