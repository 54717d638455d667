// What the env sources need to know about a host before they look, read in ONE round trip: the
// DMI strings the firmware reports (which cloud, if any, the host runs on) and the labelled
// drives (cidata, config-2) with their mount points. The metadata sources only call a service
// whose platform DMI indicates, as cloud-init's ds-identify does, so a host outside a cloud pays
// nothing for them (no connect to 169.254.169.254 that waits for its timeout).
import { DEFAULT_PATH, type Host } from '../../host/host.js';

/** /sys/class/dmi/id fields read (absent ones are left out). */
export const DMI_FIELDS = [
  'sys_vendor',
  'product_name',
  'product_version',
  'bios_vendor',
  'bios_version',
  'chassis_asset_tag',
  'product_uuid',
] as const;
export type DmiField = (typeof DMI_FIELDS)[number];

export interface Dmi extends Partial<Record<DmiField, string>> {
  /** /sys/hypervisor/uuid (Xen guests, including EC2's older PV instances that have no DMI). */
  hypervisor_uuid?: string;
}

export interface ProbedDrive {
  /** The device holding a filesystem with this label (confirmed by probing the device). */
  device: string;
  /** Where it is mounted already, or null. */
  mountpoint: string | null;
}

export interface PlatformProbe {
  dmi: Dmi;
  /** By label as asked (e.g. 'cidata', 'CIDATA'); labels without a drive are absent. */
  drives: Record<string, ProbedDrive>;
}

/** Labels the probe looks for: each drive source's label, as written and upper-cased. */
export const DRIVE_LABELS = ['cidata', 'CIDATA', 'config-2', 'CONFIG-2'] as const;

// Arguments: the labels. One `key=value` per line; DMI values are single-line strings. The /sys
// files are read under $BRINE_ROOT (LocalHost's --root, for tests) like every path brine reads.
// blkid -L can name a device that no longer holds the filesystem (a detached loop device), so
// the device itself is probed before it is trusted.
export const PROBE_SCRIPT =
  `
PATH=${DEFAULT_PATH}
r="\${BRINE_ROOT-}"
d="$r/sys/class/dmi/id"
for f in ${DMI_FIELDS.join(' ')}; do
  v=; [ -r "$d/$f" ] && { read -r v <"$d/$f" || [ -n "$v" ]; } 2>/dev/null && printf 'dmi.%s=%s\\n' "$f" "$v"
done
v=; [ -r "$r/sys/hypervisor/uuid" ] && { read -r v <"$r/sys/hypervisor/uuid" || [ -n "$v" ]; } 2>/dev/null && ` +
  `printf 'dmi.hypervisor_uuid=%s\\n' "$v"
# one scan of the labels for every label asked (the probe runs on every host of a push)
labels=$(blkid -c /dev/null -s LABEL 2>/dev/null)
for l; do
  case "$labels" in *"LABEL=\\"$l\\""*) ;; *) continue ;; esac
  dev=$(blkid -c /dev/null -L "$l" 2>/dev/null | head -n1)
  [ -n "$dev" ] || continue
  [ "$(blkid -p -s LABEL -o value "$dev" 2>/dev/null)" = "$l" ] || continue
  printf 'drive.%s=%s\\n' "$l" "$dev"
  mp=$(findmnt -n -o TARGET --source "$dev" 2>/dev/null | head -n1)
  [ -n "$mp" ] && printf 'mount.%s=%s\\n' "$l" "$mp"
done
exit 0
`;

export function parseProbe(text: string): PlatformProbe {
  const dmi: Dmi = {};
  const devices: Record<string, string> = {};
  const mounts: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(dmi|drive|mount)\.([^=]+)=(.*)$/.exec(line);
    if (!m) continue;
    const [, kind, key, raw] = m as unknown as [string, string, string, string];
    const value = raw.trim();
    if (kind === 'dmi') {
      if (value && ((DMI_FIELDS as readonly string[]).includes(key) || key === 'hypervisor_uuid'))
        dmi[key as keyof Dmi] = value;
    } else if (kind === 'drive') {
      if (value) devices[key] = value;
    } else if (value) {
      mounts[key] = value;
    }
  }
  const drives: Record<string, ProbedDrive> = {};
  for (const [label, device] of Object.entries(devices)) drives[label] = { device, mountpoint: mounts[label] ?? null };
  return { dmi, drives };
}

/** Runs the probe on the host (one exec). A probe that cannot run reports nothing found. */
export async function probePlatform(host: Host, labels: readonly string[] = DRIVE_LABELS): Promise<PlatformProbe> {
  const r = await host.exec(['sh', '-c', PROBE_SCRIPT, 'sh', ...labels], { timeoutMs: 30_000, readOnly: true });
  return parseProbe(r.stdout);
}

export type Cloud = 'ec2' | 'gce' | 'openstack';

const has = (v: string | undefined, re: RegExp): boolean => v !== undefined && re.test(v);

/**
 * The clouds the DMI strings indicate (ds-identify's rules): EC2 by `Amazon EC2` (Nitro: vendor,
 * asset tag), `amazon` in the Xen BIOS/product version, or a Xen/DMI UUID starting with `ec2`;
 * GCE by `Google Compute Engine` / vendor `Google`; OpenStack by product `OpenStack Nova` /
 * `OpenStack Compute`, vendor `OpenStack Foundation`, or the asset tags of OpenStack clouds.
 */
export function cloudsFromDmi(dmi: Dmi): Cloud[] {
  const out: Cloud[] = [];
  const ec2 =
    has(dmi.sys_vendor, /^Amazon EC2$/i) ||
    has(dmi.chassis_asset_tag, /^Amazon EC2$/i) ||
    has(dmi.bios_version, /amazon/i) ||
    has(dmi.product_version, /amazon/i) ||
    has(dmi.hypervisor_uuid, /^ec2/i) ||
    has(dmi.product_uuid, /^ec2/i);
  if (ec2) out.push('ec2');
  const gce =
    has(dmi.product_name, /^Google Compute Engine$/i) ||
    has(dmi.sys_vendor, /^Google$/i) ||
    has(dmi.bios_vendor, /^Google$/i);
  if (gce) out.push('gce');
  const openstack =
    has(dmi.product_name, /^OpenStack (Nova|Compute)$/i) ||
    has(dmi.sys_vendor, /^OpenStack Foundation$/i) ||
    has(dmi.chassis_asset_tag, /^(OpenStack Nova|OpenStack Compute|OpenTelekomCloud|SAP CCloud VM|HUAWEICLOUD)$/i);
  if (openstack) out.push('openstack');
  return out;
}

/**
 * Whether the metadata service `source` is worth asking: its platform shows in DMI (an OpenStack
 * host serves the EC2-compatible /latest/user-data too), or its endpoint was set explicitly.
 */
export function shouldQueryMetadata(source: 'ec2' | 'gce', dmi: Dmi, explicitUrl: string | undefined): boolean {
  if (explicitUrl) return true;
  const clouds = cloudsFromDmi(dmi);
  return source === 'ec2' ? clouds.includes('ec2') || clouds.includes('openstack') : clouds.includes('gce');
}
