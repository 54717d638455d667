// Target specs and ~/.ssh/config resolution (HostName, Port, User, IdentityFile, IdentitiesOnly).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionName, parseTargetSpec, resolveTarget } from '../../../engine/host/ssh-config.js';

describe('target specs', () => {
  it('parses [user@]host[:port] and IPv6 in brackets', () => {
    expect(parseTargetSpec('example.org')).toEqual({ host: 'example.org' });
    expect(parseTargetSpec('root@10.0.0.1:2222')).toEqual({ host: '10.0.0.1', user: 'root', port: 2222 });
    expect(parseTargetSpec('admin@[::1]:22')).toEqual({ host: '::1', user: 'admin', port: 22 });
  });
  it('takes a bare IPv6 address (no port) as ssh does', () => {
    expect(parseTargetSpec('::1')).toEqual({ host: '::1' });
    expect(parseTargetSpec('root@fe80::1%eth0')).toEqual({ host: 'fe80::1%eth0', user: 'root' });
    expect(parseTargetSpec('root@2001:db8::10')).toEqual({ host: '2001:db8::10', user: 'root' });
    expect(() => parseTargetSpec('root@h1:22:33')).toThrow(/bad target 'root@h1:22:33'/);
  });
  it('names an IPv6 connection with its port in brackets, as the target is written', () => {
    expect(connectionName({ user: 'root', alias: '::1', port: 2222 })).toBe('root@[::1]:2222');
    expect(connectionName({ user: 'root', alias: '::1', port: 22 })).toBe('root@::1');
    expect(connectionName({ user: 'root', alias: 'web1', port: 2222 })).toBe('root@web1:2222');
  });
  it('rejects bad specs with the spec in the message', () => {
    expect(() => parseTargetSpec('a@b@c')).toThrow(/bad target 'a@b@c'/);
    expect(() => parseTargetSpec('host:99999')).toThrow(/port 99999 out of range/);
    expect(() => parseTargetSpec('')).toThrow(/bad target/);
  });
});

describe('ssh config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brine-sshcfg-'));
  const cfg = join(dir, 'config');
  writeFileSync(
    cfg,
    `Host ecs-*\n  User admin\n  IdentityFile ~/.ssh/ecs_%h\n\nHost ecs-prod\n  HostName 192.0.2.10\n  Port 2200\n  ` +
      `IdentitiesOnly yes\n\nHost *\n  User fallback\n`,
  );

  it('applies the first value of each key over matching Host blocks', () => {
    const r = resolveTarget({ host: 'ecs-prod' }, cfg);
    expect(r).toMatchObject({
      alias: 'ecs-prod',
      hostname: '192.0.2.10',
      port: 2200,
      user: 'admin',
      identitiesOnly: true,
    });
    expect(r.identityFiles).toEqual([join(homedir(), '.ssh/ecs_192.0.2.10')]);
  });
  it('lets the command line win over the config', () => {
    expect(resolveTarget({ host: 'ecs-prod', user: 'root', port: 22 }, cfg)).toMatchObject({
      user: 'root',
      port: 22,
      hostname: '192.0.2.10',
    });
  });
  it('falls back to defaults without a config', () => {
    expect(resolveTarget({ host: 'x' }, null)).toMatchObject({
      hostname: 'x',
      port: 22,
      user: userInfo().username,
      identityFiles: [],
    });
    expect(resolveTarget({ host: 'other' }, cfg)).toMatchObject({ user: 'fallback', port: 22 });
  });
  it('names the file and host for a bad Port', () => {
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'Host b\n  Port nope\n');
    expect(() => resolveTarget({ host: 'b' }, bad)).toThrow(`${bad}: Host b: bad Port 'nope'`);
  });
});
