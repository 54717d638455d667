// The real Docker Engine the docker tests drive: started in the background when it is not up
// (and left running: other tests may use it), plus a busybox root filesystem to make images from
// local files (no registry is reachable).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function dockerUp(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure dockerd answers; throws (the test fails) when it cannot be started. */
export async function ensureDockerd(): Promise<void> {
  if (dockerUp()) return;
  const log = openSync('/var/log/dockerd.log', 'a');
  spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] }).unref();
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    if (dockerUp()) return;
  }
  throw new Error('dockerd did not start (see /var/log/dockerd.log); run scripts/ci.d/40-docker.sh');
}

/** A minimal root filesystem: static busybox and the applets the tests use. */
export function busyboxRootfs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'brine-docker-rootfs-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'www'));
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  for (const applet of ['sh', 'httpd', 'sleep', 'cat', 'echo', 'env', 'ls', 'wget'])
    symlinkSync('busybox', join(dir, 'bin', applet));
  writeFileSync(join(dir, 'www/index.html'), 'hello from busybox\n');
  return dir;
}

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** GET with retries while the server starts. */
export async function httpGet(url: string, tries = 30): Promise<string> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const r = await fetch(url);
      return await r.text();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not answer: ${String(last)}`);
}

export function sh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 120_000 });
}

/** sh -c CMD on this machine; stdout; rejects on a non-zero exit. */
export function shAsync(cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', cmd], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
