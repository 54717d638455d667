// The ifupdown stanza network.managed writes for one interface, line for line as Salt's debian_ip
// template writes it (auto, iface, the inet options in the template's order, bridge_* options
// sorted by name, then the up/down commands).
import { escapeRegExp } from '../../engine/regex-escape.js';

export interface InterfaceArgs {
  name: string;
  type: 'eth' | 'bridge';
  enabled?: boolean;
  hotplug?: boolean;
  proto?: 'static' | 'dhcp' | 'manual' | 'loopback';
  ipaddr?: string;
  netmask?: string;
  broadcast?: string;
  gateway?: string;
  metric?: number;
  mtu?: number;
  hwaddr?: string;
  dns?: string[];
  search?: string[];
  ports?: string | string[];
  stp?: boolean | string;
  ageing?: number;
  fd?: number;
  hello?: number;
  maxage?: number;
  maxwait?: number;
  waitport?: number;
  up_cmds?: string[];
  down_cmds?: string[];
  pre_up_cmds?: string[];
  post_up_cmds?: string[];
  pre_down_cmds?: string[];
  post_down_cmds?: string[];
  filename?: string;
  noifupdown?: boolean;
}

export const INTERFACES = '/etc/network/interfaces';
export const INTERFACES_D = '/etc/network/interfaces.d';

/** Salt's on/off words for stp (a YAML boolean too). */
const ON = ['yes', 'on', 'true', '1'];
const OFF = ['no', 'off', 'false', '0'];
export const STP_WORDS = [...ON, ...OFF];

/** Where the stanza goes: `filename` (relative: under interfaces.d), else interfaces.d/NAME. */
export function stanzaFile(a: InterfaceArgs): string {
  const f = a.filename ?? a.name;
  return f.startsWith('/') ? f : `${INTERFACES_D}/${f}`;
}

function bridging(a: InterfaceArgs): Array<[string, string]> {
  if (a.type !== 'bridge') return [];
  const o: Record<string, string> = {};
  if (a.ports !== undefined) o.ports = Array.isArray(a.ports) ? a.ports.join(' ') : a.ports;
  if (a.stp !== undefined) o.stp = ON.includes(String(a.stp).toLowerCase()) ? 'on' : 'off';
  for (const k of ['ageing', 'fd', 'hello', 'maxage', 'maxwait', 'waitport'] as const) {
    if (a[k] !== undefined) o[k] = String(a[k]);
  }
  return Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1));
}

/** The stanza's text. */
export function renderStanza(a: InterfaceArgs): string {
  const lines: string[] = [];
  if (a.enabled !== false) lines.push(`auto ${a.name}`);
  if (a.hotplug) lines.push(`allow-hotplug ${a.name}`);
  lines.push(`iface ${a.name} inet ${a.proto ?? 'static'}`);
  const opt = (k: string, v: unknown) => {
    if (v !== undefined && v !== '') lines.push(`    ${k} ${String(v)}`);
  };
  opt('hwaddress', a.hwaddr);
  opt('address', a.ipaddr);
  opt('netmask', a.netmask);
  opt('broadcast', a.broadcast);
  opt('metric', a.metric);
  opt('gateway', a.gateway);
  opt('mtu', a.mtu);
  if (a.dns?.length) opt('dns-nameservers', a.dns.join(' '));
  if (a.search?.length) opt('dns-search', a.search.join(' '));
  for (const [k, v] of bridging(a)) opt(`bridge_${k}`, v);
  const cmds: Array<[string, string[] | undefined]> = [
    ['up', a.up_cmds],
    ['down', a.down_cmds],
    ['pre-up', a.pre_up_cmds],
    ['post-up', a.post_up_cmds],
    ['pre-down', a.pre_down_cmds],
    ['post-down', a.post_down_cmds],
  ];
  for (const [k, list] of cmds) for (const c of list ?? []) opt(k, c);
  return `${lines.join('\n')}\n`;
}

/** Does /etc/network/interfaces read the stanza's directory (source or source-directory)? */
export function sourcesDir(interfaces: string, file: string): boolean {
  const dir = file.replace(/\/[^/]+$/, '');
  const re = new RegExp(
    `^\\s*(source\\s+${escapeRegExp(dir)}/\\S*|source-directory\\s+${escapeRegExp(dir)}/?\\s*$)`,
    'm',
  );
  return re.test(interfaces);
}

/** Does the text define the interface itself (an `iface NAME` stanza)? */
export const definesIface = (text: string, name: string): boolean =>
  new RegExp(`^\\s*iface\\s+${escapeRegExp(name)}\\s`, 'm').test(text);
