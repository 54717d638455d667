// Grains: facts about a host in Salt's names, read with ONE exec round trip of a POSIX sh
// script over any Host (local or SSH), then parsed here.
import { DEFAULT_PATH, type Host } from './host/host.js';
import { TransportError } from './errors.js';

export interface Grains {
  id: string;
  host: string;
  fqdn: string;
  domain: string;
  nodename: string;
  os: string;
  os_family: string;
  oscodename: string;
  osrelease: string;
  osmajorrelease: number | null;
  osfinger: string;
  kernel: string;
  kernelrelease: string;
  cpuarch: string;
  num_cpus: number;
  /** MiB */
  mem_total: number;
  virtual: string;
  init: string;
  ipv4: string[];
  ipv6: string[];
  ip_interfaces: Record<string, string[]>;
  default_route: { interface: string | null; gateway: string | null };
  /** The package architecture (dpkg's: amd64, arm64). */
  osarch: string;
  /** The Salt release whose behaviour brine follows. */
  saltversion: string;
  saltversioninfo: number[];
  [key: string]: unknown;
}

// the grains script's PATH, searched by the shell itself where it asks where a program is (no `command -v`
// in a command substitution: each one is a fork)
const PATH_DIRS = DEFAULT_PATH.replaceAll(':', ' ');

/** Where a target keeps the grains its boot cannot change (GRAINS_CACHE_SCRIPT). */
export const GRAINS_CACHE_PATH = '/run/brine/grains';

// The grains cache: `virt` (systemd-detect-virt, ~30 ms of a target's CPU, or its fallbacks),
// `initexe` (PID 1's binary where PID 1 is not systemd) and `osarch` (dpkg) are read once and kept in /run (gone at
// reboot), under a key of everything they depend on; a cache whose key differs is not used, and is
// rewritten. What each depends on:
// - the machine a VM runs on (CPUID, DMI, /sys/hypervisor): fixed for a boot (the boot id);
// - a container's markers: PID 1's environment (container=, fixed when PID 1 started: the boot id,
//   PID 1's start time and name), the files /.dockerenv, /run/.containerenv, /run/systemd/container
//   and /run/host/container-manager (whether each exists is in the key; their content is written
//   when the container starts);
// - the detector itself: which systemd-detect-virt is on PATH (in the key) and which version (the
//   binary or dpkg's file list of systemd newer than the cache: an upgrade or a reinstall);
// - PID 1's binary: PID 1's start time and name (an exec renames it);
// - `osarch` (dpkg --print-architecture, built into dpkg): which dpkg (in the key), and its binary or
//   dpkg's file list of dpkg newer than the cache (dpkg writes that list when it installs itself).
//   Without dpkg, rpm is asked every time (its macros may change).
// $i holds PID 1's name (read before). Writes nothing when /run/brine cannot be made (not root);
// trusts only a cache owned by the user reading it.
export const GRAINS_CACHE_SCRIPT = `gk= gd=
gw() {
  for gq in ${PATH_DIRS}; do [ -f "$gq/$1" ] && [ -x "$gq/$1" ] && { gw=$gq/$1; return 0; }; done
  return 1
}
read -r gb </proc/sys/kernel/random/boot_id 2>/dev/null && read -r gp </proc/1/stat 2>/dev/null && {
  set -f; set -- \${gp##*) }; set +f
  gk="2 $gb \${20-} $i"
  for f in /.dockerenv /run/.containerenv /run/systemd/container /run/host/container-manager; do
    [ -e "$f" ] && gk="$gk $f"
  done
  gw systemd-detect-virt && gd=$gw && gk="$gk $gd"
}
ga=; gw dpkg && ga=$gw && gk="\${gk:+$gk $ga}"
gc=${GRAINS_CACHE_PATH} gv= gx= gi=/var/lib/dpkg/info
if [ -n "$gk" ] && [ -f "$gc" ] && [ -O "$gc" ] && ! [ "$gd" -nt "$gc" ] && ! [ $gi/systemd.list -nt "$gc" ] &&
  ! [ "$ga" -nt "$gc" ] && ! [ $gi/dpkg.list -nt "$gc" ] &&
  { IFS= read -r gl && [ "$gl" = "$gk" ] && IFS= read -r gv && IFS= read -r gx && IFS= read -r ga; } <"$gc" 2>/dev/null
then
  gv=\${gv#virt=} gx=\${gx#initexe=} ga=\${ga#osarch=}
else
  gv=$(systemd-detect-virt 2>/dev/null)
  if [ -z "$gv" ]; then
    if [ -f /.dockerenv ]; then gv=docker
    elif [ -r /run/systemd/container ]; then read -r gv </run/systemd/container
    else gv=$(tr '\\0' '\\n' </proc/1/environ 2>/dev/null | sed -n 's/^container=//p' | head -n1)
    fi
  fi
  gx=
  [ "$i" = systemd ] || gx=$(readlink /proc/1/exe 2>/dev/null)
  [ -n "$ga" ] && ga=$(dpkg --print-architecture 2>/dev/null)
  if [ -n "$gk" ] && { [ -d \${gc%/*} ] || mkdir -m 0755 -p \${gc%/*}; } 2>/dev/null &&
    printf '%s\\nvirt=%s\\ninitexe=%s\\nosarch=%s\\n' "$gk" "$gv" "$gx" "$ga" >"$gc.$$" 2>/dev/null; then
    mv -f "$gc.$$" "$gc" 2>/dev/null || rm -f "$gc.$$"
  fi
fi
echo "virt=$gv"
[ "$i" = systemd ] || echo "initexe=$gx"
[ -n "$ga" ] || ga=$(rpm --eval '%{_arch}' 2>/dev/null)
echo "osarch=$ga"`;

// Each fact on its own line as key=value; addresses and routes in tagged lines. Shell builtins
// read what /proc, /sys and /etc hold: this runs on every host of a push, and on a fleet the
// targets' process starts are the cost. The kernel's names come from /proc/sys/kernel (what
// uname(2) returns), the CPU count from /sys or else /proc/stat (where getconf looks), and the facts
// only a program can tell but a boot cannot change come from the grains cache (GRAINS_CACHE_SCRIPT).
// The FQDN is the canonical name of the one /etc/hosts line naming the host when nsswitch.conf asks
// the files first (what `hostname -f` answers then); else `timeout 2 hostname -f` (DNS) tells it.
// Programs left on a warm cache: one `ip -batch` (addresses, route), and that `hostname -f` where
// /etc/hosts does not answer.
export const GRAINS_SCRIPT =
  `
PATH=${DEFAULT_PATH}
k=/proc/sys/kernel
if read -r s <$k/ostype && read -r n <$k/hostname && read -r r <$k/osrelease && read -r m <$k/arch; then :
else set -- $(uname -snrm); s=$1 n=$2 r=$3 m=$4
fi 2>/dev/null
echo "nodename=$n"
echo "kernel=$s"
echo "kernelrelease=$r"
echo "cpuarch=$m"
echo "hostname=$n"
hq= hn=0 hf=
while read -r ha hw; do
  [ "$ha" = hosts: ] && { set -f; set -- $hw; set +f; [ "\${1-}" = files ] && hq=1; break; }
done </etc/nsswitch.conf 2>/dev/null
[ -z "$hq" ] || while read -r ha hw; do
  case $ha in ''|\\#*) continue ;; esac
  set -f; set -- \${hw%%#*}; set +f
  for hx; do [ "$hx" = "$n" ] && { hn=$((hn + 1)); hf=$1; break; }; done
done </etc/hosts 2>/dev/null
[ "$hn" = 1 ] || hf=$(timeout 2 hostname -f 2>/dev/null)
echo "fqdn=$hf"
if read -r c 2>/dev/null </sys/devices/system/cpu/online; then echo "cpus_online=$c"
else
  c=0
  while read -r l _; do case $l in cpu) ;; cpu[0-9]*) c=$((c + 1)) ;; *) break ;; esac; done 2>/dev/null </proc/stat
  [ "$c" -gt 0 ] || c=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)
  echo "ncpu=$c"
fi
while read -r k v _; do [ "$k" = MemTotal: ] && { echo "memkb=$v"; break; }; done </proc/meminfo 2>/dev/null
if [ -r /etc/os-release ]; then
  (. /etc/os-release; echo "os_id=$ID"; echo "os_like=$ID_LIKE"; echo "os_name=$NAME"; echo ` +
  `"os_version_id=$VERSION_ID"; echo "os_codename=$VERSION_CODENAME")
fi
[ -r /etc/debian_version ] && { read -r dv </etc/debian_version || [ -n "$dv" ]; } && echo "debian_version=$dv"
i=; read -r i </proc/1/comm 2>/dev/null; echo "init=$i"
${GRAINS_CACHE_SCRIPT}
if command -v ip >/dev/null 2>&1; then
  a=$(ip -o -force -batch - 2>/dev/null <<'BRINE_IP'
addr show
route show default
BRINE_IP
) || [ -n "$a" ] || a=$(ip -o addr show 2>/dev/null; ip route show default 2>/dev/null)
  printf '@ip\\n%s\\n@ip-end\\n' "$a"
else
  echo "noip=1"
fi
`;

const OS_NAMES: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  centos: 'CentOS',
  fedora: 'Fedora',
  rhel: 'RedHat',
  rocky: 'Rocky',
  almalinux: 'AlmaLinux',
  alpine: 'Alpine',
  arch: 'Arch',
  opensuse: 'SUSE',
  'opensuse-leap': 'Leap',
  sles: 'SUSE',
  raspbian: 'Raspbian',
};

/** The Salt release brine's templates and grains follow (Salt 3006 LTS, onedir with Python 3.10). */
export const SALT_VERSION = {
  saltversion: '3006.9',
  saltversioninfo: [3006, 9],
  pythonversion: [3, 10, 14, 'final', 0],
};

const DPKG_ARCH: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  armv7l: 'armhf',
  i686: 'i386',
  i386: 'i386',
  ppc64le: 'ppc64el',
  s390x: 's390x',
};

function family(id: string, like: string): string {
  const all = `${id} ${like}`;
  if (/\b(debian|ubuntu)\b/.test(all)) return 'Debian';
  if (/\b(rhel|fedora|centos)\b/.test(all)) return 'RedHat';
  if (/\bsuse\b/.test(all)) return 'Suse';
  if (/\balpine\b/.test(all)) return 'Alpine';
  if (/\barch\b/.test(all)) return 'Arch';
  return OS_NAMES[id] ?? id;
}

/** Salt's name for what systemd-detect-virt says (`virtual`). */
export function virtualName(v: string): string {
  if (!v || v === 'none') return 'physical';
  const map: Record<string, string> = {
    kvm: 'kvm',
    qemu: 'kvm',
    oracle: 'VirtualBox',
    vmware: 'VMware',
    microsoft: 'VirtualPC',
    xen: 'xen',
    lxc: 'LXC',
    'lxc-libvirt': 'LXC',
    docker: 'container',
    podman: 'container',
    'systemd-nspawn': 'systemd-nspawn',
    wsl: 'wsl',
  };
  return map[v] ?? v;
}

/** CPUs in a kernel CPU list (`0-3,6`: /sys/devices/system/cpu/online, which getconf reads too). */
export function countCpus(list: string): number {
  let n = 0;
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return 0;
    n += m[2] === undefined ? 1 : Number(m[2]) - Number(m[1]) + 1;
  }
  return n;
}

export function parseGrains(text: string): Grains {
  const kv: Record<string, string> = {};
  const addrs: Array<{ ifname: string; family: string; cidr: string }> = [];
  let route = '';
  let ip = false;
  for (const raw of text.split('\n')) {
    if (raw === '@ip' || raw === '@ip-end') {
      ip = raw === '@ip';
      continue;
    }
    if (ip) {
      // ip -o: the first default route; `N: IFNAME FAMILY CIDR ...` for each address
      const line = raw.trim();
      if (line.startsWith('default')) route ||= line;
      else {
        const [, ifname, fam, cidr] = line.split(/\s+/);
        if (cidr) addrs.push({ ifname: ifname!.replace(/@.*$/, ''), family: fam!, cidr });
      }
      continue;
    }
    const i = raw.indexOf('=');
    if (i >= 0) kv[raw.slice(0, i)] = raw.slice(i + 1).trim();
  }
  const hostname = kv.hostname || kv.nodename || 'localhost';
  const host = hostname.split('.')[0]!;
  const fqdn = kv.fqdn && kv.fqdn !== 'localhost' ? kv.fqdn : hostname;
  const domain = fqdn.startsWith(`${host}.`) ? fqdn.slice(host.length + 1) : '';
  const osId = (kv.os_id ?? '').toLowerCase();
  const os = OS_NAMES[osId] ?? (kv.os_name ? kv.os_name.split(/\s+/)[0]! : kv.kernel || 'unknown');
  let osrelease = kv.os_version_id ?? '';
  if (osId === 'debian' && kv.debian_version && /^\d/.test(kv.debian_version)) osrelease = kv.debian_version;
  const major = Number.parseInt(osrelease, 10);
  const ip_interfaces: Record<string, string[]> = {};
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  for (const a of addrs) {
    const ip = a.cidr.replace(/\/\d+$/, '');
    (ip_interfaces[a.ifname] ??= []).push(ip);
    if (a.family === 'inet') ipv4.push(ip);
    else if (a.family === 'inet6') ipv6.push(ip);
  }
  const via = /\bvia\s+(\S+)/.exec(route);
  const dev = /\bdev\s+(\S+)/.exec(route);
  const init =
    kv.init === 'systemd' || /systemd/.test(kv.initexe ?? '')
      ? 'systemd'
      : kv.init === 'init'
        ? 'sysvinit'
        : kv.init || 'unknown';
  const memkb = Number.parseInt(kv.memkb ?? '', 10);
  return {
    id: fqdn,
    host,
    fqdn,
    domain,
    nodename: kv.nodename ?? hostname,
    os,
    os_family: family(osId, (kv.os_like ?? '').toLowerCase()),
    oscodename: kv.os_codename ?? '',
    osrelease,
    osmajorrelease: Number.isFinite(major) ? major : null,
    osfinger: `${os}-${Number.isFinite(major) ? major : osrelease}`,
    kernel: kv.kernel ?? '',
    kernelrelease: kv.kernelrelease ?? '',
    cpuarch: kv.cpuarch ?? '',
    num_cpus: (kv.cpus_online ? countCpus(kv.cpus_online) : Number.parseInt(kv.ncpu ?? '', 10)) || 1,
    mem_total: Number.isFinite(memkb) ? Math.floor(memkb / 1024) : 0,
    virtual: virtualName(kv.virt ?? ''),
    init,
    ipv4,
    ipv6,
    ip_interfaces,
    default_route: { interface: dev ? dev[1]! : null, gateway: via ? via[1]! : null },
    osarch: kv.osarch || DPKG_ARCH[kv.cpuarch ?? ''] || kv.cpuarch || '',
    osfullname: kv.os_name ?? os,
    lsb_distrib_id: kv.os_name ?? os,
    lsb_distrib_codename: kv.os_codename ?? '',
    lsb_distrib_release: osrelease,
    ...structuredClone(SALT_VERSION),
  };
}

/** Reads the grains of a host in one exec round trip. */
export async function readGrains(host: Host): Promise<Grains> {
  const r = await host.exec(['sh', '-c', GRAINS_SCRIPT], { readOnly: true });
  if (!r.stdout.includes('kernel=')) {
    throw new TransportError(
      host.name,
      `could not read grains (exit ${r.exitCode}): ${r.stderr.trim().split('\n').pop() ?? ''}`,
    );
  }
  return parseGrains(r.stdout);
}
