// Booted Debian 12 targets for integration tests: systemd-nspawn containers over a fresh overlay
// copy of a cached pristine rootfs, each with sshd on its own loopback port and the test key.
// See DESIGN.md "Testing against real machines". Any failure throws with the reason, so a test
// that cannot get its target fails.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import type { SshOptions, SshTarget } from '../../engine/host/ssh.js';
import { CLIENT_KEY, ensurePristine, PRISTINE } from './rootfs.js';

export const RUN_DIR = process.env.BRINE_TEST_RUN ?? '/var/lib/brine-test/targets';

export interface Target {
  /** Machine name (also the container's hostname). */
  name: string;
  /** Where sshd answers: 127.0.0.1 (shared network) or the target's own address. */
  host: string;
  port: number;
  /** Private key that logs in as root. */
  keyPath: string;
  /** The container's root directory as seen from the host. */
  rootfs: string;
  /** A known_hosts file holding this target's host key (`[127.0.0.1]:port ssh-ed25519 ...` or `ip ssh-ed25519 ...`). */
  knownHostsPath: string;
  /** The target's host public key line (`ssh-ed25519 AAAA...`). */
  hostKey: string;
  /** Runs a shell command as root over ssh. */
  ssh(
    cmd: string,
    o?: { stdin?: string; timeoutMs?: number },
  ): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /** Powers the container off and removes its copy. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Boot timeout per target (default 120 s). */
  bootTimeoutMs?: number;
  /** Name prefix (default 'brine'). */
  prefix?: string;
}

let seq = 0;
const live = new Set<Target>();
const livePids = new Set<number>();

/** At this process's exit, SIGTERM each pid still in `pids`: a last resort that asks guests to power off. */
export function terminateOnExit(pids: Set<number>): void {
  process.once('exit', () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
    }
  });
}
// the containers' dirs are reclaimed by cleanupStale
terminateOnExit(livePids);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

const usedPorts = new Set<number>();
async function pickPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (usedPorts.has(port)) continue;
    if (await portFree(port)) {
      usedPorts.add(port);
      return port;
    }
  }
  throw new Error('test harness: no free loopback port in 20000-29999');
}

/** Removes target dirs left behind by processes that died without stopping them. */
async function cleanupStale(): Promise<void> {
  if (!existsSync(RUN_DIR)) return;
  for (const name of readdirSync(RUN_DIR)) {
    const dir = join(RUN_DIR, name);
    let meta: { owner: number; pid?: number } | undefined;
    try {
      meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (!meta || alive(meta.owner)) continue;
    // its owner died without stopping it (killed test run): power it off, then reclaim the copy
    if (meta.pid && alive(meta.pid)) {
      try {
        process.kill(meta.pid, 'SIGTERM');
      } catch {}
      for (let i = 0; i < 100 && alive(meta.pid); i++) await new Promise((r) => setTimeout(r, 200));
      if (alive(meta.pid)) continue;
    }
    await execa('umount', ['-l', join(dir, 'root')], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  }
}

function sshArgs(port: number, knownHosts: string): string[] {
  return [
    '-i',
    CLIENT_KEY,
    '-p',
    String(port),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=3',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'LogLevel=ERROR',
    'root@127.0.0.1',
  ];
}

async function startOne(o: StartOptions): Promise<Target> {
  const name = `${o.prefix ?? 'brine'}-${process.pid}-${++seq}-${randomBytes(2).toString('hex')}`;
  const dir = join(RUN_DIR, name);
  const root = join(dir, 'root');
  mkdirSync(join(dir, 'upper'), { recursive: true });
  mkdirSync(join(dir, 'work'), { recursive: true });
  mkdirSync(root, { recursive: true });
  const meta: { owner: number; pid?: number; port?: number } = { owner: process.pid };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));

  let pid: number | undefined;
  let overlay = false;
  const cleanup = async () => {
    if (pid && alive(pid)) {
      try {
        process.kill(pid, 'SIGTERM'); // nspawn -b turns this into an orderly poweroff
      } catch {}
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 200));
      if (alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
        for (let i = 0; i < 25 && alive(pid); i++) await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (pid) livePids.delete(pid);
    if (overlay) {
      const u = await execa('umount', [root], { reject: false });
      if (u.exitCode !== 0) await execa('umount', ['-l', root], { reject: false });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const m = await execa(
      'mount',
      [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${PRISTINE},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`,
        root,
      ],
      { reject: false },
    );
    if (m.exitCode === 0) overlay = true;
    else await execa('cp', ['-a', '--reflink=auto', `${PRISTINE}/.`, root]);

    const port = await pickPort();
    meta.port = port;
    // per-target host key, sshd on the loopback port, hostname, resolver
    await execa('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      name,
      '-f',
      join(root, 'etc/ssh/ssh_host_ed25519_key'),
    ]);
    mkdirSync(join(root, 'etc/ssh/sshd_config.d'), { recursive: true });
    writeFileSync(
      join(root, 'etc/ssh/sshd_config.d/brine-test.conf'),
      `Port ${port}\nListenAddress 127.0.0.1\nHostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\nMaxStartups 50\n`,
    );
    writeFileSync(join(root, 'etc/hostname'), `${name}\n`);
    writeFileSync(
      join(root, 'etc/hosts'),
      `127.0.0.1 localhost\n127.0.1.1 ${name}\n::1 localhost ip6-localhost ip6-loopback\n`,
    );
    writeFileSync(join(root, 'etc/resolv.conf'), readFileSync('/etc/resolv.conf'));
    const hostKey = readFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
    const knownHostsPath = join(dir, 'known_hosts');
    writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ${hostKey}\n`);

    const logFd = openSync(join(dir, 'console.log'), 'a');
    const child = spawn(
      'systemd-nspawn',
      ['-b', '-D', root, '--register=no', '--keep-unit', '-M', name, '--console=read-only'],
      { detached: true, stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    child.unref();
    pid = child.pid;
    if (!pid) throw new Error('systemd-nspawn did not start');
    livePids.add(pid);
    meta.pid = pid;
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));

    const ssh: Target['ssh'] = async (cmd, so) => {
      const r = await execa('ssh', [...sshArgs(port, knownHostsPath), cmd], {
        reject: false,
        input: so?.stdin ?? '',
        timeout: so?.timeoutMs ?? 300_000,
      });
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
    };

    // wait for sshd, then for systemd to finish booting
    const deadline = Date.now() + (o.bootTimeoutMs ?? 120_000);
    let last = '';
    for (;;) {
      if (!alive(pid)) {
        const log = readFileSync(join(dir, 'console.log'), 'utf8').trim().split('\n').slice(-15).join('\n');
        throw new Error(`systemd-nspawn exited during boot:\n${log}`);
      }
      const r = await ssh('systemctl is-system-running --wait', { timeoutMs: 60_000 });
      const state = r.stdout.trim();
      if (state === 'running' || state === 'degraded') break;
      last = `${state} ${r.stderr.trim()}`.trim();
      if (Date.now() > deadline)
        throw new Error(`target did not boot within the timeout (last: ${last || 'no answer'})`);
      await new Promise((res) => setTimeout(res, 500));
    }

    let stopped = false;
    const target: Target = {
      name,
      host: '127.0.0.1',
      port,
      keyPath: CLIENT_KEY,
      rootfs: root,
      knownHostsPath,
      hostKey,
      ssh,
      async stop() {
        if (stopped) return;
        stopped = true;
        live.delete(target);
        usedPorts.delete(port);
        await cleanup();
      },
    };
    live.add(target);
    return target;
  } catch (err) {
    await cleanup();
    throw new Error(
      `test harness: starting target ${name} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/**
 * Starts n booted Debian 12 targets (in parallel) and resolves when sshd answers and systemd has
 * finished booting on each. If any fails, the others are stopped and the error names the reason.
 */
export async function startTargets(n: number, o: StartOptions = {}): Promise<Target[]> {
  await ensurePristine();
  await cleanupStale();
  mkdirSync(RUN_DIR, { recursive: true });
  const results = await Promise.allSettled(Array.from({ length: n }, () => startOne(o)));
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) {
    await Promise.all(ok.map((t) => t.stop()));
    throw bad.reason;
  }
  return ok;
}

/** Stops every target this process started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((t) => t.stop()));
}

/** The connectSsh arguments for a target: root with the test key, host key pinned. */
export function sshTarget(t: Target, user = 'root'): { target: SshTarget; options: SshOptions } {
  return {
    target: { host: t.host, port: t.port, user },
    options: {
      identityFiles: [t.keyPath],
      knownHostsPath: t.knownHostsPath,
      sshConfigPath: null,
      agent: null,
    },
  };
}
