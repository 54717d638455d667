// Light SSH targets for fleets (rolling pushes, the fan-out benchmark): no booted systemd, just an
// sshd in its own network namespace (veth, 10.239.x.y/30) with its own root: an overlay of the
// cached pristine Debian 12 rootfs (test/harness/rootfs.ts) mounted inside a private mount
// namespace, so the mounts vanish with the process. Fifty start in seconds. No service manager:
// for states on files, commands, users; not for services or packages that start daemons.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLIENT_KEY, ensurePristine, PRISTINE } from './rootfs.js';
import { RUN_DIR, terminateOnExit } from './nspawn.js';

const LIGHT_DIR = join(RUN_DIR, '..', 'light');

export interface LightTarget {
  name: string;
  /** The target's address (sshd listens on port 22 there). */
  host: string;
  port: number;
  keyPath: string;
  /** The target's root as the host sees it: the overlay's upper dir (what the target changed). */
  upper: string;
  /** `ADDRESS ssh-ed25519 ...` */
  knownHostsLine: string;
  /** Runs a shell command as root over ssh. */
  ssh(cmd: string): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  stop(): Promise<void>;
}

const livePids = new Set<number>();
terminateOnExit(livePids);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ip(args: string[]): Promise<void> {
  const r = await execa('ip', args, { reject: false });
  if (r.exitCode !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** Waits until a TCP port answers with an SSH banner. */
async function waitSsh(host: string, port: number, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.setTimeout(1000);
      s.once('data', (d) => {
        s.destroy();
        resolve(String(d).startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
      s.once('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (!alive(pid)) throw new Error('sshd exited');
    if (Date.now() > deadline) throw new Error(`sshd did not answer on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes light targets whose owner died (netns, run dir). */
async function cleanupStale(): Promise<void> {
  if (!existsSync(LIGHT_DIR)) return;
  for (const name of readdirSync(LIGHT_DIR)) {
    let meta: { owner: number; pid?: number; ns: string };
    try {
      meta = JSON.parse(readFileSync(join(LIGHT_DIR, name, 'meta.json'), 'utf8'));
    } catch {
      continue;
    }
    if (alive(meta.owner)) continue;
    if (meta.pid && alive(meta.pid)) process.kill(meta.pid, 'SIGKILL');
    await execa('ip', ['netns', 'del', meta.ns], { reject: false });
    rmSync(join(LIGHT_DIR, name), { recursive: true, force: true });
  }
}

// inside its namespaces: the overlay root, /dev, /proc, a tmpfs /run, then sshd as PID 1
const INSIDE = `
set -e
mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$DIR/upper,workdir=$DIR/work" "$DIR/root"
R="$DIR/root"
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=0755 tmpfs "$R/run"
mkdir -p "$R/run/sshd" "$R/run/lock"
hostname "$NAME"
exec chroot "$R" /usr/sbin/sshd -D -e
`;

let fleetSeq = 0;

async function startOne(fleet: string, i: number, subnet: number): Promise<LightTarget> {
  const name = `${fleet}-${i}`;
  const dir = join(LIGHT_DIR, name);
  const ns = `${fleet}n${i}`;
  const hostIf = `${fleet}h${i}`;
  const a = subnet * 4;
  const hostIp = `10.239.${a >> 8}.${(a & 255) + 1}`;
  const addr = `10.239.${a >> 8}.${(a & 255) + 2}`;
  for (const d of ['upper', 'work', 'root']) mkdirSync(join(dir, d), { recursive: true });
  const meta: { owner: number; pid?: number; ns: string } = { owner: process.pid, ns };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  let pid: number | undefined;
  const cleanup = async () => {
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGKILL'); // unshare --kill-child takes sshd (PID 1 of its namespace) along
      for (let k = 0; k < 50 && alive(pid); k++) await new Promise((r) => setTimeout(r, 100));
    }
    if (pid) livePids.delete(pid);
    await execa('ip', ['netns', 'del', ns], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // the target's own files go to the overlay's upper dir before it is mounted
    const etc = join(dir, 'upper/etc');
    mkdirSync(join(etc, 'ssh/sshd_config.d'), { recursive: true });
    await execa('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      name,
      '-f',
      join(etc, 'ssh/ssh_host_ed25519_key'),
    ]);
    writeFileSync(
      join(etc, 'ssh/sshd_config.d/brine-light.conf'),
      `ListenAddress ${addr}\nHostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\nUsePAM no\nMaxStartups ` +
        `100\nMaxSessions 100\n`,
    );
    writeFileSync(join(etc, 'hostname'), `${name}\n`);
    writeFileSync(join(etc, 'hosts'), `127.0.0.1 localhost\n127.0.1.1 ${name}\n`);
    const hostKey = readFileSync(join(etc, 'ssh/ssh_host_ed25519_key.pub'), 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');

    await ip(['netns', 'add', ns]);
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await ip(['addr', 'add', `${hostIp}/30`, 'dev', hostIf]);
    await ip(['link', 'set', hostIf, 'up']);
    await ip(['-n', ns, 'addr', 'add', `${addr}/30`, 'dev', 'eth0']);
    await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);

    const logFd = openSync(join(dir, 'sshd.log'), 'a');
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        'unshare',
        '--mount',
        '--uts',
        '--pid',
        '--kill-child',
        '--propagation',
        'private',
        'sh',
        '-c',
        INSIDE,
      ],
      {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, DIR: dir, LOWER: PRISTINE, NAME: name },
      },
    );
    closeSync(logFd);
    child.unref();
    pid = child.pid;
    if (!pid) throw new Error('unshare did not start');
    livePids.add(pid);
    meta.pid = pid;
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    await waitSsh(addr, 22, pid, 20_000).catch((e: Error) => {
      throw new Error(
        `${e.message}: ${readFileSync(join(dir, 'sshd.log'), 'utf8').trim().split('\n').slice(-5).join(' | ')}`,
      );
    });
    const knownHostsLine = `${addr} ${hostKey}`;
    const kh = join(dir, 'known_hosts');
    writeFileSync(kh, `${knownHostsLine}\n`);
    let stopped = false;
    return {
      name,
      host: addr,
      port: 22,
      keyPath: CLIENT_KEY,
      upper: join(dir, 'upper'),
      knownHostsLine,
      async ssh(cmd) {
        const r = await execa(
          'ssh',
          [
            '-i',
            CLIENT_KEY,
            '-o',
            'BatchMode=yes',
            '-o',
            'IdentitiesOnly=yes',
            '-o',
            `UserKnownHostsFile=${kh}`,
            '-o',
            'LogLevel=ERROR',
            `root@${addr}`,
            cmd,
          ],
          { reject: false, timeout: 120_000 },
        );
        return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw new Error(`light target ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface Fleet {
  targets: LightTarget[];
  /** A known_hosts file with every target's host key. */
  knownHostsPath: string;
  keyPath: string;
  stop(): Promise<void>;
}

/** Starts n light targets; if one fails, the others are stopped and the error says why. */
export async function startFleet(n: number): Promise<Fleet> {
  await ensurePristine();
  await cleanupStale();
  mkdirSync(LIGHT_DIR, { recursive: true });
  // interface names are at most 15 characters: 'bl' + 4 hex + 'h' + index
  const fleet = `bl${randomBytes(2).toString('hex')}${(fleetSeq++ % 10).toString()}`;
  // a block of /30 subnets in 10.239.0.0/16 unlikely to meet another fleet's
  const base = Math.floor(Math.random() * 200) * 64;
  const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => startOne(fleet, i, base + i)));
  const targets = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const bad = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) {
    await Promise.all(targets.map((t) => t.stop()));
    throw bad.reason;
  }
  const knownHostsPath = join(LIGHT_DIR, `${fleet}.known_hosts`);
  writeFileSync(knownHostsPath, targets.map((t) => `${t.knownHostsLine}\n`).join(''));
  return {
    targets,
    knownHostsPath,
    keyPath: CLIENT_KEY,
    async stop() {
      await Promise.all(targets.map((t) => t.stop()));
      rmSync(knownHostsPath, { force: true });
    },
  };
}
