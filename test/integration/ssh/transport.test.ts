// The ssh2 transport beyond the file suite: ~/.ssh/config and the agent as OpenSSH users set them
// up, many commands multiplexed over one connection under sshd's MaxSessions, a lost connection
// surfacing as a TransportError, round trips counted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../../engine/errors.js';
import { readGrainsAndEnv } from '../../../engine/grains-and-env.js';
import { acquireRunLock, RunLockError } from '../../../engine/host/run-lock.js';
import { connectSsh } from '../../../engine/host/ssh.js';
import { sshTarget, startTargets, type Target } from '../../harness/nspawn.js';
import { addSudoUser } from './sudo-user.js';

describe('ssh transport', () => {
  let t: Target;
  const dir = mkdtempSync(join(tmpdir(), 'brine-sshtr-'));
  beforeAll(async () => {
    [t] = (await startTargets(1)) as [Target];
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('honours ssh config (HostName, Port, User, IdentityFile) for an alias', async () => {
    const cfg = join(dir, 'config');
    writeFileSync(
      cfg,
      `Host ecs-test\n  HostName 127.0.0.1\n  Port ${t.port}\n  User root\n  ` +
        `IdentityFile ${t.keyPath}\n  IdentitiesOnly yes\n`,
    );
    const h = await connectSsh(
      { host: 'ecs-test' },
      { sshConfigPath: cfg, knownHostsPath: t.knownHostsPath, agent: null },
    );
    expect(h.name).toBe(`root@ecs-test:${t.port}`);
    expect((await h.exec(['hostname'])).stdout.trim()).toBe(t.name);
    await h.close();
  });

  it('logs in with a key held by ssh-agent', async () => {
    const sock = join(dir, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-a', sock], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
    try {
      execFileSync('ssh-add', [t.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const h = await connectSsh(
        { host: '127.0.0.1', port: t.port, user: 'root' },
        { sshConfigPath: null, knownHostsPath: t.knownHostsPath, agent: sock },
      );
      expect((await h.exec(['id', '-u'])).stdout.trim()).toBe('0');
      await h.close();
    } finally {
      process.kill(pid);
    }
  });

  it('multiplexes many commands over one connection within MaxSessions, counting round trips', async () => {
    const { target, options } = sshTarget(t);
    const h = await connectSsh(target, options);
    await h.readFile('/etc/hostname'); // opens the sftp session (one more channel)
    const before = h.roundTrips;
    const start = Date.now();
    const rs = await Promise.all(Array.from({ length: 24 }, (_, i) => h.exec(['sh', '-c', `sleep 0.5; echo ${i}`])));
    const took = Date.now() - start;
    expect(rs.map((r) => r.exitCode)).toEqual(Array(24).fill(0));
    expect(rs.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 24 }, (_, i) => String(i)));
    // 8 channels at a time: 3 waves of 0.5 s, not 24 sequential ones
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(6000);
    expect(h.roundTrips - before).toBe(24 + h.stats.retries);
    expect(h.stats.exec).toBe(24);
    await h.close();
  });

  it("a root login's reads and run lock share one command session; its death is the host's error", async () => {
    const { target, options } = sshTarget(t);
    const h = await connectSsh(target, options);
    const first = await readGrainsAndEnv(h, { files: ['/etc/hostname'] });
    expect(first.grains.kernel).toBe('Linux');
    expect((await first.read('/etc/hostname'))?.toString().trim()).toBe(t.name);
    const lock = await acquireRunLock(h, { waitMs: 0 }, ['/root']);
    const reads = await Promise.all([
      h.exec(['cat', '/etc/hostname'], { readOnly: true }),
      h.exec(['sh', '-c', 'echo "$1" >&2; exit 3', 'sh', "it's"], { readOnly: true }),
      h.exec(['printf', 'a\\0b'], { readOnly: true, cwd: '/tmp', env: { X: 'y' } }),
    ]);
    expect(reads.map((r) => [r.exitCode, r.stdout, r.stderr])).toEqual([
      [0, `${t.name}\n`, ''],
      [3, '', "it's\n"],
      [0, 'a\0b', ''],
    ]);
    // grains, lock, facts: three round trips on ONE exec channel
    expect(h.roundTrips).toBe(3);
    expect(h.stats.channels).toBe(1);
    // the lock is the session's: another connection cannot take it until it is released
    const h2 = await connectSsh(target, options);
    await expect(acquireRunLock(h2, { waitMs: 0 })).rejects.toBeInstanceOf(RunLockError);
    await lock.release();
    await (await acquireRunLock(h2, { waitMs: 0 })).release();
    // taken again, then the session's shell dies: the lock goes with it and the host fails loudly
    await acquireRunLock(h, { waitMs: 0 });
    const kill = 'kill -9 "$(cut -d" " -f4 /proc/$PPID/stat)"; sleep 5';
    await expect(h.exec(['sh', '-c', kill], { readOnly: true })).rejects.toThrow(/command session ended/);
    await expect(h.exec(['true'])).rejects.toThrow(/held the run lock/);
    await (await acquireRunLock(h2, { waitMs: 0 })).release();
    await h.close();
    await h2.close();
  });

  it('a write whose owner or group the target does not know fails naming it, and writes nothing', async () => {
    await addSudoUser(t, 'owners');
    const big = Buffer.alloc(300_000, 7); // streamed through one exec channel as root
    for (const [user, data] of [
      ['root', big],
      ['owners', Buffer.from('small')], // through sudo
    ] as const) {
      const { target, options } = sshTarget(t, user);
      const h = await connectSsh(target, options);
      const path = `/srv/owner-${user}`;
      await expect(h.writeFileAtomic(path, data, { owner: 'no-such-user-xyz' })).rejects.toThrow(
        `${path}: unknown user 'no-such-user-xyz'`,
      );
      await expect(h.writeFileAtomic(path, data, { group: 'no-such-group-xyz' })).rejects.toThrow(
        `${path}: unknown group 'no-such-group-xyz'`,
      );
      await h.close();
      expect((await t.ssh(`ls -A /srv | grep -c owner-${user}`)).stdout.trim()).toBe('0');
    }
  });

  it('reads files whole over sftp: empty, exactly one read, many reads, procfs (size 0)', async () => {
    const { target, options } = sshTarget(t);
    const h = await connectSsh(target, options);
    for (const n of [0, 1, 65535, 65536, 65537, 300_000]) {
      const data = Buffer.alloc(n, n % 251);
      await h.writeFileAtomic(`/root/size-${n}`, data);
      expect((await h.readFile(`/root/size-${n}`))?.equals(data)).toBe(true);
    }
    const before = h.stats.sftp;
    await h.readFile('/root/size-1');
    expect(h.stats.sftp - before).toBe(4); // open, fstat + read together, close
    const viaSftp = (await h.readFile('/proc/self/mountinfo'))!.toString();
    expect(viaSftp.split('\n').length).toBeGreaterThan(5);
    expect(viaSftp.endsWith('\n')).toBe(true);
    await h.close();
  });

  it('turns a connection lost mid-command into a TransportError and closes cleanly', async () => {
    const { target, options } = sshTarget(t);
    const h = await connectSsh(target, options);
    // kill this connection's sshd process from inside (the first sshd above this shell)
    const kill =
      'p=$$; while [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(cut -d" " -f4 /proc/$p/stat); done; kill -9 $p; sleep 5';
    const start = Date.now();
    const r = await h.exec(['sh', '-c', kill]).catch((e: unknown) => e);
    expect(r).toBeInstanceOf(TransportError);
    expect(Date.now() - start).toBeLessThan(4000);
    await expect(h.exec(['true'])).rejects.toThrow(TransportError);
    await h.close();
  });

  it('reads through the non-root sudo login what only root can read', async () => {
    const r = await t.ssh(
      `useradd -m -s /bin/sh ops && install -d -m 700 -o ops /home/ops/.ssh && install -m 600 -o ops ` +
        `/root/.ssh/authorized_keys /home/ops/.ssh/ && echo 'ops ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/ops && ` +
        `echo secret > /root/only-root && chmod 600 /root/only-root`,
    );
    expect(r.exitCode).toBe(0);
    const { target, options } = sshTarget(t, 'ops');
    const h = await connectSsh(target, options);
    expect((await h.readFile('/root/only-root'))?.toString()).toBe('secret\n');
    expect((await h.exec(['id', '-un'])).stdout.trim()).toBe('root');
    expect((await h.exec(['id', '-un'], { user: 'ops' })).stdout.trim()).toBe('ops');
    await h.writeFileAtomic('/etc/brine-ops', 'x', { mode: 0o600 });
    expect(await h.stat('/etc/brine-ops')).toMatchObject({ user: 'root', mode: 0o600, size: 1 });
    await h.close();
    // the command session: started through sudo once, its commands run as root (or as asked)
    const hs = await connectSsh(target, options);
    const reads = await Promise.all([
      hs.exec(['id', '-un'], { readOnly: true }),
      hs.exec(['sh', '-c', 'id -un; echo "$HOME"'], { readOnly: true, user: 'ops' }),
      hs.exec(['cat', '/root/only-root'], { readOnly: true }),
    ]);
    expect(reads.map((x) => x.stdout)).toEqual(['root\n', 'ops\n/home/ops\n', 'secret\n']);
    const lock = await acquireRunLock(hs, { waitMs: 0 });
    expect(hs.stats.channels).toBe(1);
    await lock.release();
    await hs.close();
    // without sudo rights the same login fails loudly, read-only commands (the session's) included
    await t.ssh('rm /etc/sudoers.d/ops');
    const h2 = await connectSsh(target, options);
    const denied = await h2.exec(['true']);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/sudo/);
    const deniedRead = await h2.exec(['true'], { readOnly: true });
    expect(deniedRead.exitCode).not.toBe(0);
    expect(deniedRead.stderr).toMatch(/sudo/);
    await h2.close();
  });
});
