// Strict host key checking against a real sshd: an unknown key and a changed key are refused with
// the SHA256 fingerprint ssh-keygen shows; accept-new adds an unknown key (and then connects
// without it), never a changed one. Also: bad identity, refused port, connect timeout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../../engine/errors.js';
import { connectSsh, type SshOptions } from '../../../engine/host/ssh.js';
import { sshTarget, startTargets, type Target } from '../../harness/nspawn.js';

describe('ssh host keys and connection failures', () => {
  let t: Target;
  let fp: string;
  const dir = mkdtempSync(join(tmpdir(), 'brine-hostkeys-'));
  beforeAll(async () => {
    [t] = (await startTargets(1)) as [Target];
    const pub = join(dir, 'host.pub');
    writeFileSync(pub, `${t.hostKey}\n`);
    fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], { encoding: 'utf8' }).split(' ')[1]!;
    expect(fp).toMatch(/^SHA256:/);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const opts = (knownHostsPath: string, extra: SshOptions = {}): SshOptions => ({
    ...sshTarget(t).options,
    knownHostsPath,
    ...extra,
  });
  const refused = async (o: SshOptions): Promise<TransportError> => {
    const err = await connectSsh(sshTarget(t).target, o).then(
      (h) => {
        void h.close();
        throw new Error('connected, expected a refusal');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    return err as TransportError;
  };

  it('refuses an unknown host key, naming the fingerprint', async () => {
    const kh = join(dir, 'empty_known_hosts');
    const err = await refused(opts(kh));
    expect(err.message).toContain(fp);
    expect(err.message).toContain(`[127.0.0.1]:${t.port}`);
    expect(err.message).toMatch(/not known.*--accept-new/);
  });

  it('accept-new adds the unknown key, after which a strict connect succeeds', async () => {
    const kh = join(dir, 'accept_known_hosts');
    const h = await connectSsh(sshTarget(t).target, opts(kh, { acceptNew: true }));
    expect((await h.exec(['hostname'])).stdout.trim()).toBe(t.name);
    await h.close();
    expect(readFileSync(kh, 'utf8')).toBe(`[127.0.0.1]:${t.port} ${t.hostKey}\n`);
    const again = await connectSsh(sshTarget(t).target, opts(kh));
    await again.close();
    // OpenSSH agrees with what was written
    execFileSync('ssh', [
      '-i',
      t.keyPath,
      '-p',
      String(t.port),
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${kh}`,
      'root@127.0.0.1',
      'true',
    ]);
  });

  it('refuses a changed host key even with accept-new, naming the fingerprint and the old entry', async () => {
    const kh = join(dir, 'changed_known_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    const other = readFileSync(join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(kh, `# old\n[127.0.0.1]:${t.port} ${other}\n`);
    const err = await refused(opts(kh, { acceptNew: true }));
    expect(err.message).toContain(fp);
    expect(err.message).toMatch(/HOST KEY CHANGED/);
    expect(err.message).toContain(`${kh}:2`);
    expect(readFileSync(kh, 'utf8')).toBe(`# old\n[127.0.0.1]:${t.port} ${other}\n`);
  });

  it('reports a key the server does not accept', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'stranger')]);
    const err = await refused(opts(t.knownHostsPath, { identityFiles: [join(dir, 'stranger')] }));
    expect(err.message).toMatch(/authentication as root failed/);
  });

  it('reports a refused port and a silent server as unreachable within the timeout', async () => {
    const closed = await connectSsh({ host: '127.0.0.1', port: 1, user: 'root' }, opts(t.knownHostsPath)).catch(
      (e: unknown) => e,
    );
    expect(closed).toBeInstanceOf(TransportError);
    expect((closed as Error).message).toMatch(/ECONNREFUSED/);
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const start = Date.now();
    const err = await connectSsh(
      { host: '127.0.0.1', port, user: 'root' },
      opts(t.knownHostsPath, { connectTimeoutMs: 1500 }),
    ).catch((e: unknown) => e);
    silent.close();
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/timed out after 1.5 s \(--connect-timeout\)/);
    expect(Date.now() - start).toBeLessThan(5000);
  });
});
