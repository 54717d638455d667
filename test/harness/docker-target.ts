// Booted Debian 12 targets in which dockerd runs, for the docker modules over SSH and the whole
// appliance (containers included). Built on the tried recipe /work/shared/recipes/docker-in-nspawn.sh:
// systemd-nspawn with its own network namespace (veth, 10.231.IDX.0/30, host .1, guest .2, NAT
// for apt), all capabilities, the keyring/bpf syscalls allowed, the cgroup v1 hierarchies
// remounted writable by a unit inside, private cgroups per target, and a supervisor that boots
// the guest again when it reboots. sshd answers on the guest's own address, port 22.
//
// The "docker rootfs" (the pristine rootfs plus docker.io, docker-compose, git, ... installed) is
// built once and cached in /var/cache/brine-test; every target runs on a fresh overlay of it, with
// /var/lib/docker and /var/lib/containerd on plain directories of the host (overlay2 inside needs
// a real filesystem under it). IDX and the machine name are allocated under a lock, so several
// test files and engineers run targets at once; targets whose owner process died are torn down
// (supervisor, iptables rules, veth, cgroups, overlay) by the next start.
//
// Not a security boundary: throwaway test machines only.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { withLock } from './lock.js';
import { type Target, terminateOnExit } from './nspawn.js';
import { CACHE_DIR, CLIENT_KEY, ensurePristine, PRISTINE } from './rootfs.js';

export const DOCKER_RUN_DIR = process.env.BRINE_TEST_DOCKER_RUN ?? '/var/lib/brine-test/docker-targets';
const SUPERVISOR = join(dirname(fileURLToPath(import.meta.url)), 'docker-target-run.sh');

/** What every docker rootfs holds on top of the pristine one. */
export const DOCKER_PACKAGES = [
  'docker.io',
  'docker-compose',
  'busybox-static',
  'git',
  'curl',
  'ca-certificates',
  'gnupg',
  'iptables',
  'xz-utils',
];

/** IDX range of the 10.231.IDX.0/30 networks this harness hands out. */
const IDX_MIN = 100;
const IDX_MAX = 249;

export interface DockerTargetOptions {
  /** Packages preinstalled in the cached rootfs on top of DOCKER_PACKAGES (a separate cache per set). */
  extraPackages?: string[];
  /** Boot (and reboot) timeout (default 180 s). */
  bootTimeoutMs?: number;
  /**
   * Blank disks (sizes in MiB): sparse files attached as loop devices of the host (partition
   * scanning on) and bound into the guest, in this order (`DockerTarget.disks`). The guest has no
   * udev, so a TEST ONLY unit stands in for it there (UDEV_SHIM).
   */
  loopDisksMiB?: number[];
  /**
   * /var/lib/docker on a directory of the host (default true: overlay2 needs a real filesystem under
   * it). false: it stays in the guest's root (dockerd falls back to vfs there), as on a machine
   * whose appliance is to move it (storage).
   */
  dockerOnHost?: boolean;
}

/**
 * TEST ONLY stand-in for udev in the guest (nspawn guests have none): device nodes for the
 * partitions of the bound loop disks and /dev/disk/by-label links to labelled filesystems on them,
 * once before local-fs-pre.target and then every second (as udev would after parted and mkfs).
 */
const UDEV_SHIM =
  `#!/bin/sh
sync_nodes() {
  mkdir -p /dev/disk/by-label
  for disk in $(cat /etc/brine-test-disks); do
    for s in /sys/class/block/$disk /sys/class/block/$disk/\${disk}p*; do
      [ -e "$s/dev" ] || continue
      n=\${s##*/}
      [ -b "/dev/$n" ] || mknod "/dev/$n" b $(tr ':' ' ' < "$s/dev")
      label=$(blkid -p -s LABEL -o value "/dev/$n" 2>/dev/null)
      [ -n "$label" ] && [ "$(readlink "/dev/disk/by-label/$label")" != "/dev/$n" ] && ln -sfn "/dev/$n" ` +
  `"/dev/disk/by-label/$label"
    done
  done
  for l in /dev/disk/by-label/*; do
    [ -L "$l" ] || continue
    [ "$(blkid -p -s LABEL -o value "$(readlink "$l")" 2>/dev/null)" = "\${l##*/}" ] || rm -f "$l"
  done
}
sync_nodes
[ "\${1:-}" = --loop ] || exit 0
while sleep 1; do sync_nodes; done
`;

const UDEV_SHIM_UNIT = `[Unit]
Description=TEST ONLY: udev stand-in for the bound loop disks (brine test harness)
DefaultDependencies=no
Before=local-fs-pre.target
Wants=local-fs-pre.target
[Service]
Type=simple
ExecStartPre=/usr/local/sbin/brine-test-udev
ExecStart=/usr/local/sbin/brine-test-udev --loop
[Install]
WantedBy=sysinit.target
`;

export interface DockerTarget extends Target {
  /** The guest's address (10.231.IDX.2); sshd listens there on port 22. */
  ip: string;
  /** The host end of the veth (10.231.IDX.1). */
  hostIp: string;
  idx: number;
  /** Reboots the guest (`systemctl reboot` inside) and resolves when it has booted again. */
  reboot(): Promise<void>;
  /** How many times the guest has booted (1 after start). */
  boots(): number;
  /** The loop devices of `loopDisksMiB`, as the guest sees them (/dev/loopN). */
  disks: string[];
}

interface Meta {
  owner: number;
  idx: number;
  name: string;
  uplink?: string;
  supervisor?: number;
  /** Loop devices attached for this target (detached on teardown). */
  loops?: string[];
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function need(cmd: string, pkg: string): Promise<void> {
  const r = await execa('sh', ['-c', `command -v ${cmd}`], { reject: false });
  if (r.exitCode !== 0)
    throw new Error(
      `test harness: \`${cmd}\` is missing; run scripts/ci.d/21-docker-target.sh (apt-get install ${pkg})`,
    );
}

/** Builds (once per package set) the docker rootfs; returns its directory. */
export async function ensureDockerRootfs(extraPackages: string[] = []): Promise<string> {
  await ensurePristine();
  const pkgs = [...new Set([...DOCKER_PACKAGES, ...extraPackages])].sort();
  const key = createHash('sha256').update(pkgs.join(' ')).digest('hex').slice(0, 10);
  const dir = join(CACHE_DIR, `bookworm-docker-${key}`);
  const ready = `${dir}.ready`;
  if (existsSync(ready)) return dir;
  await withLock(join(CACHE_DIR, '.docker-rootfs.lock'), async () => {
    if (existsSync(ready)) return;
    const script =
      `
      set -e
      T="$DIR.tmp"; rm -rf "$T"; cp -a "$PRISTINE" "$T"
      # apt inside uses this machine's mirror and suites
      mkdir -p "$T/etc/apt/sources.list.d"
      if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
        rm -f "$T/etc/apt/sources.list"; cp /etc/apt/sources.list.d/*.sources "$T/etc/apt/sources.list.d/"
      fi
      printf '#!/bin/sh\\nexit 101\\n' > "$T/usr/sbin/policy-rc.d"; chmod 755 "$T/usr/sbin/policy-rc.d"
      systemd-nspawn -q -D "$T" --register=no --keep-unit --pipe -E DEBIAN_FRONTEND=noninteractive \\
        sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $PKGS && apt-get clean" ` +
      `>"$DIR.log" 2>&1 \\
        || { tail -20 "$DIR.log" >&2; exit 1; }
      rm -f "$T/usr/sbin/policy-rc.d"
      # nspawn (no user namespace) mounts the cgroup v1 controllers read-only; runc needs them writable
      cat > "$T/etc/systemd/system/cgroup-v1-rw.service" <<'EOF'
[Unit]
Description=Make cgroup v1 controllers writable for dockerd (nspawn mounts them ro)
DefaultDependencies=no
Before=sysinit.target containerd.service docker.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'for d in /sys/fs/cgroup/*/; do mountpoint -q "$d" && mount -o remount,bind,rw "$d"; done; true'
[Install]
WantedBy=sysinit.target
EOF
      mkdir -p "$T/etc/systemd/system/sysinit.target.wants" "$T/etc/systemd/system/sockets.target.wants" ` +
      `"$T/etc/systemd/system/multi-user.target.wants"
      ln -sf /etc/systemd/system/cgroup-v1-rw.service "$T/etc/systemd/system/sysinit.target.wants/"
      ln -sf /lib/systemd/system/systemd-networkd.service "$T/etc/systemd/system/multi-user.target.wants/"
      ln -sf /lib/systemd/system/systemd-networkd.socket "$T/etc/systemd/system/sockets.target.wants/"
      rm -rf "$T/var/lib/docker" "$T/var/lib/containerd"; mkdir -p "$T/var/lib/docker" "$T/var/lib/containerd"
      rm -rf "/run/systemd/nspawn/propagate/\${DIR##*/}.tmp" "$DIR"; mv "$T" "$DIR"; touch "$DIR.ready"`;
    const r = await execa('bash', ['-c', script], {
      reject: false,
      env: { ...process.env, DIR: dir, PRISTINE, PKGS: pkgs.join(' ') },
    });
    if (r.exitCode !== 0)
      throw new Error(`test harness: building the docker rootfs failed: ${r.stderr.trim() || r.stdout.trim()}`);
  });
  return dir;
}

function uplink(): Promise<string> {
  return execa('sh', ['-c', "ip route show default | awk '{print $5; exit}'"]).then((r) => r.stdout.trim());
}

/** Deletes every iptables rule (filter and nat) tagged with this target's comment. */
async function dropRules(name: string): Promise<void> {
  await execa(
    'bash',
    [
      '-c',
      `
    for t in filter nat; do
      iptables -t $t -S | grep -F -- "--comment brine-$NAME " | sed 's/^-A /-D /' | while read -r rule; do
        eval "iptables -t $t $rule" || true
      done
    done`,
    ],
    { reject: false, env: { ...process.env, NAME: name } },
  );
}

async function addRules(name: string, idx: number, up: string): Promise<void> {
  const net = `10.231.${idx}.0/30`;
  const c = ['-m', 'comment', '--comment', `brine-${name}`];
  const cmds = [
    ['-t', 'nat', '-I', 'POSTROUTING', '-s', net, '-o', up, ...c, '-j', 'MASQUERADE'],
    ['-I', 'FORWARD', '-i', `ve-${name}`, '-o', up, ...c, '-j', 'ACCEPT'],
    [
      '-I',
      'FORWARD',
      '-i',
      up,
      '-o',
      `ve-${name}`,
      '-m',
      'conntrack',
      '--ctstate',
      'RELATED,ESTABLISHED',
      ...c,
      '-j',
      'ACCEPT',
    ],
  ];
  for (const a of cmds) {
    const r = await execa('iptables', a, { reject: false });
    if (r.exitCode !== 0) throw new Error(`iptables ${a.join(' ')}: ${r.stderr.trim()}`);
  }
  const fwd = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  if (fwd !== '1') writeFileSync('/proc/sys/net/ipv4/ip_forward', '1\n'); // left on: other targets share it
}

/** Powers a target off (or kills it) and removes everything it left on the host. */
async function teardown(meta: Meta): Promise<void> {
  const dir = join(DOCKER_RUN_DIR, meta.name);
  const nspawnPid = Number(readFileSafe(join(dir, 'nspawn.pid')) || 0) || undefined;
  const sup = meta.supervisor;
  if (alive(sup)) {
    // an orderly poweroff first; nspawn turns SIGTERM into one too
    // the supervisor turns SIGTERM into nspawn's orderly poweroff and does not boot again
    try {
      process.kill(sup!, 'SIGTERM');
    } catch {}
    for (let i = 0; i < 150 && alive(sup); i++) await sleep(200);
    for (const pid of [sup, nspawnPid]) {
      if (alive(pid)) {
        try {
          process.kill(pid!, 'SIGKILL');
        } catch {}
      }
    }
    for (let i = 0; i < 25 && (alive(sup) || alive(nspawnPid)); i++) await sleep(200);
  }
  await dropRules(meta.name);
  await execa('ip', ['link', 'del', `ve-${meta.name}`], { reject: false });
  for (const cg of (readFileSafe(join(dir, 'cgroups')) ?? '').split('\n').filter(Boolean)) {
    await execa('sh', ['-c', 'find "$1" -depth -type d -exec rmdir {} \\; 2>/dev/null; true', 'sh', cg], {
      reject: false,
    });
  }
  const root = join(dir, 'root');
  if ((await execa('mountpoint', ['-q', root], { reject: false })).exitCode === 0) {
    const u = await execa('umount', [root], { reject: false });
    if (u.exitCode !== 0) await execa('umount', ['-l', root], { reject: false });
  }
  for (const loop of meta.loops ?? []) await execa('losetup', ['-d', loop], { reject: false });
  rmSync(`/run/systemd/nspawn/propagate/${meta.name}`, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}

function readFileSafe(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function readMetas(): Meta[] {
  if (!existsSync(DOCKER_RUN_DIR)) return [];
  const out: Meta[] = [];
  for (const name of readdirSync(DOCKER_RUN_DIR)) {
    const m = readFileSafe(join(DOCKER_RUN_DIR, name, 'meta.json'));
    if (!m) continue;
    try {
      out.push(JSON.parse(m) as Meta);
    } catch {}
  }
  return out;
}

/** Tears down the targets whose owner process died (call with the allocation lock held). */
async function cleanupStale(): Promise<void> {
  for (const m of readMetas()) if (!alive(m.owner)) await teardown(m);
}

/** Picks a free IDX (no live target, no address of that /30 and no veth on this machine). */
async function allocate(): Promise<Meta> {
  return withLock(join(DOCKER_RUN_DIR, '.lock'), async () => {
    await cleanupStale();
    const taken = new Set(readMetas().map((m) => m.idx));
    const addrs = (await execa('ip', ['-o', 'addr', 'show'], { reject: false })).stdout;
    const links = (await execa('ip', ['-o', 'link', 'show'], { reject: false })).stdout;
    const start = IDX_MIN + (process.pid % (IDX_MAX - IDX_MIN + 1));
    for (let k = 0; k <= IDX_MAX - IDX_MIN; k++) {
      const idx = IDX_MIN + ((start - IDX_MIN + k) % (IDX_MAX - IDX_MIN + 1));
      const name = `bdt${idx}`;
      if (
        taken.has(idx) ||
        addrs.includes(` 10.231.${idx}.`) ||
        links.includes(` ve-${name}`) ||
        links.includes(`: ve-${name}@`)
      )
        continue;
      const meta: Meta = { owner: process.pid, idx, name };
      mkdirSync(join(DOCKER_RUN_DIR, name), { recursive: true });
      writeFileSync(join(DOCKER_RUN_DIR, name, 'meta.json'), JSON.stringify(meta));
      return meta;
    }
    throw new Error(`test harness: no free 10.231.IDX.0/30 network (IDX ${IDX_MIN}-${IDX_MAX}) for a docker target`);
  });
}

const live = new Set<DockerTarget>();
const livePids = new Set<number>();
// the next start reclaims the rest
terminateOnExit(livePids);

function sshArgs(ip: string, knownHosts: string): string[] {
  return [
    '-i',
    CLIENT_KEY,
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
    `root@${ip}`,
  ];
}

/**
 * Starts a booted Debian 12 target with a running dockerd; resolves when sshd answers, systemd has
 * finished booting and docker.service is active. Throws with the reason otherwise.
 */
export async function startDockerTarget(o: DockerTargetOptions = {}): Promise<DockerTarget> {
  await need('iptables', 'iptables');
  await need('systemd-nspawn', 'systemd-container');
  await need('flock', 'util-linux');
  const lower = await ensureDockerRootfs(o.extraPackages);
  mkdirSync(DOCKER_RUN_DIR, { recursive: true });
  const meta = await allocate();
  const { idx, name } = meta;
  const dir = join(DOCKER_RUN_DIR, name);
  const root = join(dir, 'root');
  const ip = `10.231.${idx}.2`;
  const hostIp = `10.231.${idx}.1`;
  const knownHostsPath = join(dir, 'known_hosts');
  const bootTimeout = o.bootTimeoutMs ?? 180_000;
  let targetDisks: string[] = [];

  const ssh: Target['ssh'] = async (cmd, so) => {
    const r = await execa('ssh', [...sshArgs(ip, knownHostsPath), cmd], {
      reject: false,
      input: so?.stdin ?? '',
      timeout: so?.timeoutMs ?? 300_000,
    });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
  };
  const boots = () => (readFileSafe(join(dir, 'boots')) ?? '').split('\n').filter(Boolean).length;
  const consoleTail = () => (readFileSafe(join(dir, 'console.log')) ?? '').split('\n').slice(-15).join('\n');

  const waitBooted = async (what: string) => {
    const deadline = Date.now() + bootTimeout;
    let last = '';
    for (;;) {
      if (!alive(meta.supervisor)) throw new Error(`systemd-nspawn exited during ${what}:\n${consoleTail()}`);
      const r = await ssh('systemctl is-system-running --wait; systemctl is-active docker', { timeoutMs: 90_000 });
      const [state, docker] = r.stdout.trim().split('\n');
      if ((state === 'running' || state === 'degraded') && docker === 'active') return;
      last = `${r.stdout.trim().replace(/\n/g, ' ')} ${r.stderr.trim()}`.trim();
      if (state === 'running' || state === 'degraded') {
        const f = await ssh('systemctl --failed --no-legend; journalctl -u docker -u containerd --no-pager -n 20');
        if (/docker\.service|containerd\.service/.test(f.stdout))
          throw new Error(`dockerd failed in the target:\n${f.stdout}`);
      }
      if (Date.now() > deadline)
        throw new Error(`target did not finish ${what} within ${bootTimeout / 1000} s (last: ${last || 'no answer'})`);
      await sleep(500);
    }
  };

  try {
    for (const d of ['upper', 'work', 'var-lib-docker', 'var-lib-containerd'])
      mkdirSync(join(dir, d), { recursive: true });
    mkdirSync(root, { recursive: true });
    await execa('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`,
      root,
    ]);

    // this target's host key, hostname, resolver and address
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
      'HostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\nMaxStartups 50\n',
    );
    writeFileSync(join(root, 'etc/hostname'), `${name}\n`);
    writeFileSync(
      join(root, 'etc/hosts'),
      `127.0.0.1 localhost\n127.0.1.1 ${name}\n::1 localhost ip6-localhost ip6-loopback\n`,
    );
    const resolv = readFileSync('/etc/resolv.conf', 'utf8');
    writeFileSync(join(root, 'etc/resolv.conf'), resolv);
    const dns = /^nameserver\s+(\S+)/m.exec(resolv)?.[1];
    mkdirSync(join(root, 'etc/systemd/network'), { recursive: true });
    writeFileSync(
      join(root, 'etc/systemd/network/10-host0.network'),
      `[Match]\nName=host0\n[Network]\nAddress=${ip}/30\nGateway=${hostIp}\n${dns ? `DNS=${dns}\n` : ''}`,
    );
    const hostKey = readFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
    writeFileSync(knownHostsPath, `${ip} ${hostKey}\n`);

    // NAT for apt inside (the host end of the veth gets its address from the supervisor)
    meta.uplink = await uplink();
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    await addRules(name, idx, meta.uplink);

    // blank disks: loop devices of the host, bound into the guest, with the udev stand-in
    const disks: string[] = [];
    for (const [i, mib] of (o.loopDisksMiB ?? []).entries()) {
      const img = join(dir, `disk${i}.img`);
      await execa('truncate', ['-s', `${mib}M`, img]);
      const dev = (await execa('losetup', ['-f', '-P', '--show', img])).stdout.trim();
      disks.push(dev);
      meta.loops = [...(meta.loops ?? []), dev];
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    }
    if (disks.length > 0) {
      writeFileSync(join(root, 'etc/brine-test-disks'), `${disks.map((d) => d.replace('/dev/', '')).join('\n')}\n`);
      mkdirSync(join(root, 'usr/local/sbin'), { recursive: true });
      writeFileSync(join(root, 'usr/local/sbin/brine-test-udev'), UDEV_SHIM, { mode: 0o755 });
      writeFileSync(join(root, 'etc/systemd/system/brine-test-udev.service'), UDEV_SHIM_UNIT);
      mkdirSync(join(root, 'etc/systemd/system/sysinit.target.wants'), { recursive: true });
      await execa('ln', [
        '-sf',
        '/etc/systemd/system/brine-test-udev.service',
        join(root, 'etc/systemd/system/sysinit.target.wants/'),
      ]);
    }
    targetDisks = disks;

    const memcg = /^\d+:memory:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '';
    const logFd = openSync(join(dir, 'console.log'), 'a');
    const child = spawn('bash', [SUPERVISOR], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: {
        ...process.env,
        NAME: name,
        ROOT: root,
        STATE: dir,
        HOSTIP: hostIp,
        MEMCG: memcg === '/' ? '' : memcg,
        DEVICES: targetDisks.join(' '),
        DOCKER_ON_HOST: o.dockerOnHost === false ? '0' : '1',
      },
    });
    closeSync(logFd);
    child.unref();
    if (!child.pid) throw new Error('the supervisor did not start');
    meta.supervisor = child.pid;
    livePids.add(child.pid);
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    await waitBooted('booting');
  } catch (err) {
    if (meta.supervisor) livePids.delete(meta.supervisor);
    await teardown(meta);
    throw new Error(
      `test harness: starting docker target ${name} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  let stopped = false;
  const target: DockerTarget = {
    name,
    host: ip,
    port: 22,
    ip,
    hostIp,
    idx,
    keyPath: CLIENT_KEY,
    rootfs: root,
    knownHostsPath,
    hostKey: readFileSync(knownHostsPath, 'utf8').trim().split(/\s+/).slice(1).join(' '),
    ssh,
    boots,
    disks: targetDisks,
    async reboot() {
      const before = boots();
      await ssh('systemctl reboot', { timeoutMs: 15_000 });
      const deadline = Date.now() + bootTimeout;
      while (boots() <= before) {
        if (!alive(meta.supervisor))
          throw new Error(`test harness: ${name} did not come back from reboot:\n${consoleTail()}`);
        if (Date.now() > deadline)
          throw new Error(`test harness: ${name} did not reboot within ${bootTimeout / 1000} s`);
        await sleep(200);
      }
      await waitBooted('rebooting');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      live.delete(target);
      if (meta.supervisor) livePids.delete(meta.supervisor);
      await teardown(meta);
    },
  };
  live.add(target);
  return target;
}

/** Stops every docker target this process started. */
export async function stopAllDockerTargets(): Promise<void> {
  await Promise.all([...live].map((t) => t.stop()));
}

/**
 * Imports a static-busybox image inside the target (no registry is reachable): `IMAGE` with sh,
 * httpd, wget, ... and /www/index.html. Returns the image's id.
 */
export async function importBusybox(
  t: Target,
  image = 'local/busybox:latest',
  index = 'hello from busybox',
): Promise<string> {
  const r = await t.ssh(`set -e
    d=$(mktemp -d); chmod 755 "$d"; mkdir -p "$d/bin" "$d/www" "$d/tmp"; cp /bin/busybox "$d/bin/"
    for a in sh httpd wget cat echo env ls sleep mkdir rm; do ln -s busybox "$d/bin/$a"; done
    printf '%s\\n' ${shq(index)} > "$d/www/index.html"
    tar -C "$d" -c . | docker import - ${shq(image)} >/dev/null; rm -rf "$d"
    docker image inspect -f '{{.Id}}' ${shq(image)}`);
  if (r.exitCode !== 0) throw new Error(`test harness: importing busybox as ${image} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** A word quoted for sh. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
