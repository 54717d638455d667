// ssh_known_hosts as data: hashed host names, replacing a host's key, fingerprints.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  editKnownHosts,
  hashHost,
  hostMatches,
  hostPattern,
  sha256Fingerprint,
} from '../../../modules/users/known-hosts.js';

const KEY = { enc: 'ssh-ed25519', blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIBrineTestKeyOneAAAAAAAAAAAAAAAAAAAAAAAAAA' };
const OLD = { enc: 'ssh-ed25519', blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIBrineTestKeyTwoAAAAAAAAAAAAAAAAAAAAAAAAAA' };

describe('ssh_known_hosts', () => {
  it('hashes host names as OpenSSH does and matches them back', () => {
    const salt = Buffer.alloc(20, 7);
    const h = hashHost('git.example.org', salt);
    expect(h).toMatch(/^\|1\|BwcHBwcHBwcHBwcHBwcHBwcHBwc=\|[A-Za-z0-9+/]+=$/);
    expect(hostMatches(h, 'git.example.org')).toBe(true);
    expect(hostMatches(h, 'other.example.org')).toBe(false);
    expect(hostMatches('a.example.org,10.0.0.1', '10.0.0.1')).toBe(true);
    expect(hostPattern({ name: 'h', port: 2222 })).toBe('[h]:2222');
    expect(hostPattern({ name: 'h', port: 22 })).toBe('h');
  });
  it(
    'adds the key (hashed by default), keeps it, replaces another key of the same type, removes all for ' + 'absent',
    () => {
      const added = editKnownHosts('other ssh-rsa AAAA\n', { name: 'h' }, KEY, true);
      expect(added).toMatch(/^other ssh-rsa AAAA\n\|1\|[^ ]+ ssh-ed25519 AAAAC3/);
      expect(editKnownHosts(added, { name: 'h' }, KEY, true)).toBe(added);
      const plain = editKnownHosts(
        `h ${OLD.enc} ${OLD.blob}\nh ssh-rsa AAAA\n`,
        { name: 'h', hash_known_hosts: false },
        KEY,
        true,
      );
      expect(plain).toBe(`h ssh-rsa AAAA\nh ${KEY.enc} ${KEY.blob}\n`);
      expect(editKnownHosts(plain, { name: 'h' }, null, false)).toBe('');
    },
  );
  it('fingerprints like ssh-keygen -l (SHA256, base64 without padding)', () => {
    const want = createHash('sha256').update(Buffer.from(KEY.blob, 'base64')).digest('base64').replace(/=+$/, '');
    expect(sha256Fingerprint(KEY.blob)).toBe(`SHA256:${want}`);
  });
});
