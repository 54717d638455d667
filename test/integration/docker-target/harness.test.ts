// The docker-capable booted target (test/harness/docker-target.ts): it boots with its own network
// namespace and answers ssh on its own address with a pinned host key, dockerd runs inside, a
// container made from a local busybox rootfs publishes a port this machine reaches, a reboot
// inside brings the guest and dockerd (and the restart-policy container) back, two targets run at
// once on different networks, and stopping leaves no veth, iptables rule or cgroup behind.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DockerTarget, importBusybox, startDockerTarget } from '../../harness/docker-target.js';

let t: DockerTarget;

function hostSh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 60_000 });
}

async function httpGet(url: string, tries = 50): Promise<string> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
      return await r.text();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not answer: ${String(last)}`);
}

beforeAll(async () => {
  t = await startDockerTarget();
}, 900_000);

afterAll(async () => {
  await t?.stop();
}, 120_000);

describe('docker target (systemd-nspawn with its own network namespace)', () => {
  it('boots with systemd, answers ssh on its own address with the pinned host key, dockerd active', async () => {
    expect(t.ip).toMatch(/^10\.231\.\d+\.2$/);
    expect(t.port).toBe(22);
    expect(readFileSync(t.knownHostsPath, 'utf8').trim()).toBe(`${t.ip} ${t.hostKey}`);
    const r = await t.ssh(
      'hostname; systemctl is-active docker containerd; docker info --format "{{.Driver}} {{.CgroupVersion}}"; ip ' +
        '-4 -br addr show host0',
    );
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(t.name);
    expect(lines.slice(1, 3)).toEqual(['active', 'active']);
    expect(lines[3]).toBe('overlay2 1');
    expect(lines[4]).toContain(`${t.ip}/30`);
    expect(t.boots()).toBe(1);
    // the host end of the veth carries the /30
    expect(hostSh(`ip -4 -br addr show ve-${t.name}`)).toContain(`${t.hostIp}/30`);
  });

  it('a container imported from a local busybox rootfs publishes a port this machine reaches', async () => {
    const id = await importBusybox(t, 'local/busybox:latest', 'hello from the docker target');
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const run = await t.ssh(
      'docker run -d --name web --restart always -p 8080:80 local/busybox httpd -f -p 80 -h /www',
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await httpGet(`http://${t.ip}:8080/`)).trim()).toBe('hello from the docker target');
  });

  it('a reboot inside boots the guest again; dockerd and the restart-policy container come back', async () => {
    // /run is a fresh tmpfs on every boot
    expect((await t.ssh('touch /run/brine-before-reboot')).exitCode).toBe(0);
    await t.reboot();
    expect(t.boots()).toBe(2);
    const r = await t.ssh(
      'systemctl is-active docker; docker ps --format "{{.Names}}"; test -e /run/brine-before-reboot && echo ' +
        'same-boot || echo new-boot',
    );
    expect(r.stdout.trim().split('\n')).toEqual(['active', 'web', 'new-boot']);
    expect((await httpGet(`http://${t.ip}:8080/`)).trim()).toBe('hello from the docker target');
  });

  it('a second target runs at the same time on its own network; stop leaves nothing behind', async () => {
    const u = await startDockerTarget();
    let stopped = false;
    try {
      expect(u.idx).not.toBe(t.idx);
      expect(u.name).not.toBe(t.name);
      expect((await u.ssh('docker info --format "{{.ServerVersion}}"')).exitCode).toBe(0);
      // each sees its own docker: the first target's container is not in the second
      expect((await u.ssh('docker ps -aq')).stdout.trim()).toBe('');
      await u.stop();
      stopped = true;
      expect(hostSh(`ip -o link show ve-${u.name} 2>/dev/null || true`).trim()).toBe('');
      expect(hostSh(`iptables -S; iptables -t nat -S`)).not.toContain(`brine-${u.name} `);
      expect(existsSync(`/sys/fs/cgroup/pids/brine-${u.name}`)).toBe(false);
      expect(existsSync(u.rootfs)).toBe(false);
      // the first target is untouched
      expect((await t.ssh('systemctl is-active docker')).stdout.trim()).toBe('active');
    } finally {
      if (!stopped) await u.stop();
    }
  }, 900_000);
});
