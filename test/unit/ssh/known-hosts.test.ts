// known_hosts lookups as OpenSSH writes them: plain, [host]:port, hashed |1|, wildcards, negation,
// @revoked; fingerprints match ssh-keygen's; accept-new appends.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  knownHostName,
  knownKeyTypes,
} from '../../../engine/host/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'brine-kh-'));
function newKey(name: string): { line: string; blob: Buffer; path: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  const line = readFileSync(`${path}.pub`, 'utf8').trim();
  return { line, blob: Buffer.from(line.split(' ')[1]!, 'base64'), path };
}
const a = newKey('a');
const b = newKey('b');
const typeKey = (k: { line: string }) => k.line.split(' ').slice(0, 2).join(' ');

describe('known_hosts', () => {
  it('names non-22 ports as [host]:port', () => {
    expect(knownHostName('example.org', 22)).toBe('example.org');
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  it('fingerprints like ssh-keygen -l', () => {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${a.path}.pub`], { encoding: 'utf8' });
    expect(out).toContain(fingerprint(a.blob));
  });

  it('finds plain, port-qualified, wildcard entries and honours negation', () => {
    const f = join(dir, 'kh1');
    writeFileSync(
      f,
      `# comment\nweb1,web2 ${typeKey(a)}\n[10.0.0.1]:2222 ${typeKey(b)}\n` +
        `*.example.org,!bad.example.org ${typeKey(a)}\n`,
    );
    expect(checkHostKey(f, 'web2', a.blob).status).toBe('known');
    expect(checkHostKey(f, '[10.0.0.1]:2222', b.blob).status).toBe('known');
    expect(checkHostKey(f, '10.0.0.1', b.blob).status).toBe('unknown');
    expect(checkHostKey(f, 'x.example.org', a.blob).status).toBe('known');
    expect(checkHostKey(f, 'bad.example.org', a.blob).status).toBe('unknown');
  });

  it('reports a changed key with the file and line of the old one', () => {
    const f = join(dir, 'kh2');
    writeFileSync(f, `\nweb1 ${typeKey(a)}\n`);
    const v = checkHostKey(f, 'web1', b.blob);
    expect(v).toMatchObject({ status: 'changed', entry: { file: f, line: 2 } });
  });

  it('matches hashed |1| entries written by ssh-keygen -H', () => {
    const f = join(dir, 'kh3');
    writeFileSync(f, `[127.0.0.1]:2200 ${typeKey(a)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
    expect(readFileSync(f, 'utf8')).toMatch(/^\|1\|/);
    expect(checkHostKey(f, '[127.0.0.1]:2200', a.blob).status).toBe('known');
    expect(checkHostKey(f, '[127.0.0.1]:2201', a.blob).status).toBe('unknown');
    expect(checkHostKey(f, '[127.0.0.1]:2200', b.blob).status).toBe('changed');
    // and our own hashing agrees with a hand-made entry
    const salt = randomBytes(20);
    const h = createHmac('sha1', salt).update('db1').digest('base64');
    writeFileSync(f, `|1|${salt.toString('base64')}|${h} ${typeKey(b)}\n`);
    expect(checkHostKey(f, 'db1', b.blob).status).toBe('known');
  });

  it('refuses a @revoked key even when also listed', () => {
    const f = join(dir, 'kh4');
    writeFileSync(f, `@revoked * ${typeKey(a)}\nweb1 ${typeKey(a)}\n`);
    expect(checkHostKey(f, 'web1', a.blob).status).toBe('revoked');
  });

  it('lists known key types for host key algorithm ordering', () => {
    const f = join(dir, 'kh5');
    writeFileSync(f, `web1 ${typeKey(a)}\nweb1 ssh-rsa AAAA\n`);
    expect(knownKeyTypes(f, 'web1')).toEqual(['ssh-ed25519', 'ssh-rsa']);
    expect(knownKeyTypes(join(dir, 'missing'), 'web1')).toEqual([]);
  });

  it('appends accept-new entries that ssh-keygen -F can find', () => {
    const f = join(dir, 'sub', 'known_hosts');
    appendKnownHost(f, '[127.0.0.1]:2222', a.blob);
    expect(checkHostKey(f, '[127.0.0.1]:2222', a.blob).status).toBe('known');
    const out = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', f], { encoding: 'utf8' });
    expect(out).toContain(a.blob.toString('base64'));
  });
});
