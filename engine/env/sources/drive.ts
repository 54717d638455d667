// Env sources on a labelled drive (cloud-init NoCloud `cidata`, OpenStack `config-2`): found with
// `blkid -L` (and probed), mounted read-only into a temp dir when not mounted already, unmounted after.
import { EnvError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import type { EnvSource, FoundEnv } from './types.js';

async function deviceFor(host: Host, label: string): Promise<string | null> {
  for (const l of new Set([label, label.toUpperCase()])) {
    const r = await host.exec(['blkid', '-c', '/dev/null', '-L', l]);
    const dev = r.stdout.trim().split('\n')[0];
    if (r.exitCode !== 0 || !dev) continue;
    // blkid -L can name a device that no longer holds the filesystem (a detached loop device):
    // probe the device itself before trusting it
    const p = await host.exec(['blkid', '-p', '-s', 'LABEL', '-o', 'value', dev]);
    if (p.exitCode === 0 && p.stdout.trim() === l) return dev;
  }
  return null;
}

async function mountPointOf(host: Host, dev: string): Promise<string | null> {
  const r = await host.exec(['findmnt', '-n', '-o', 'TARGET', '--source', dev]);
  const mp = r.stdout.trim().split('\n')[0];
  return r.exitCode === 0 && mp ? mp : null;
}

async function catFile(host: Host, path: string): Promise<string | null> {
  const r = await host.exec(['cat', '--', path]);
  return r.exitCode === 0 ? r.stdout : null;
}

export function driveSource(label: string, file: string): EnvSource {
  return {
    name: label,
    async find(ctx): Promise<FoundEnv | null> {
      const { host } = ctx;
      const dev = await deviceFor(host, label);
      if (!dev) return null;
      const source = `${label}:${dev}`;
      const mounted = await mountPointOf(host, dev);
      if (mounted) {
        const text = await catFile(host, `${mounted}/${file}`);
        return text === null ? null : { text, source };
      }
      const tmp = await host.exec(['mktemp', '-d', '/tmp/brine-env.XXXXXX']);
      const dir = tmp.stdout.trim();
      if (tmp.exitCode !== 0 || !dir) throw new EnvError(source, `cannot make a mount point: ${tmp.stderr.trim()}`);
      try {
        const m = await host.exec(['mount', '-o', 'ro', dev, dir]);
        if (m.exitCode !== 0) throw new EnvError(source, `cannot mount read-only: ${m.stderr.trim()}`);
        try {
          const text = await catFile(host, `${dir}/${file}`);
          return text === null ? null : { text, source };
        } finally {
          await host.exec(['umount', dir]);
        }
      } finally {
        await host.exec(['rmdir', dir]);
      }
    },
  };
}

export const cidataDrive = driveSource('cidata', 'user-data');
export const configDrive = driveSource('config-2', 'openstack/latest/user_data');
