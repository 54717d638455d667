// Env sources on a labelled drive (cloud-init NoCloud `cidata`, OpenStack `config-2`): found by the
// platform probe (blkid -L, the device probed, findmnt: one round trip for every label), mounted
// read-only into a temp dir when not mounted already, unmounted after.
import { EnvError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import { probePlatform } from './platform.js';
import type { EnvSource, FoundEnv } from './types.js';

async function catFile(host: Host, path: string): Promise<string | null> {
  const r = await host.exec(['cat', '--', path]);
  return r.exitCode === 0 ? r.stdout : null;
}

export function driveSource(label: string, file: string): EnvSource {
  const labels = [...new Set([label, label.toUpperCase()])];
  return {
    name: label,
    needsPlatform: () => true,
    async find(ctx): Promise<FoundEnv | null> {
      const { host } = ctx;
      const probe = ctx.platform ? await ctx.platform() : await probePlatform(host, labels);
      const drive = labels.map((l) => probe.drives[l]).find((d) => d !== undefined);
      if (!drive) return null;
      const dev = drive.device;
      const source = `${label}:${dev}`;
      if (drive.mountpoint) {
        const text = await catFile(host, `${drive.mountpoint}/${file}`);
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
