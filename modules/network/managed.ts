// network.managed on Debian (ifupdown): the interface's stanza in its own file under
// /etc/network/interfaces.d (Salt's debian_ip with `filename`; without it Salt rewrites the whole
// /etc/network/interfaces, brine leaves that file alone), then the link brought to the wanted
// state as Salt's state does: enabled and down -> ifup; enabled, up and the stanza changed ->
// ifdown + ifup; disabled and up -> ifdown (`noifupdown: True` skips both).
import { createTwoFilesPatch } from 'diff';
import type { Change, StateFunction } from '../../engine/contract.js';
import { StateError } from '../../engine/errors.js';
import { shell } from '../../engine/host/exec.js';
import type { Host } from '../../engine/host/host.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import {
  definesIface,
  INTERFACES,
  type InterfaceArgs,
  renderStanza,
  STP_WORDS,
  sourcesDir,
  stanzaFile,
} from './stanza.js';

export interface NetFacts {
  file: string;
  /** The stanza file now; null when missing. */
  content: string | null;
  /** /etc/network/interfaces; null when missing. */
  interfaces: string | null;
  /** The link now: null when there is no such link. */
  link: 'up' | 'down' | null;
  /** ifup/ifdown are installed (ifupdown). */
  ifupdown: boolean;
  /** ifupdown's bridge hook is installed (bridge-utils). */
  bridgeHook: boolean;
}

export type NetChange = Change<'file' | 'link' | 'restart'>;

const strings = { type: 'array', items: { type: 'string', minLength: 1 } };
const seconds = { type: 'integer', minimum: 0 };
const addr = { type: 'string', pattern: '^[0-9A-Fa-f.:/]+$' };

const schema = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,15}$' },
    type: { enum: ['eth', 'bridge'] },
    enabled: { type: 'boolean' },
    hotplug: { type: 'boolean' },
    proto: { enum: ['static', 'dhcp', 'manual', 'loopback'] },
    ipaddr: addr,
    netmask: addr,
    broadcast: addr,
    gateway: addr,
    metric: { type: 'integer', minimum: 0 },
    mtu: { type: 'integer', minimum: 68 },
    hwaddr: { type: 'string', pattern: '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$' },
    dns: strings,
    search: strings,
    ports: { anyOf: [{ type: 'string', pattern: '^[^\\n]+$' }, strings] },
    stp: { anyOf: [{ type: 'boolean' }, { enum: STP_WORDS }] },
    ageing: seconds,
    fd: seconds,
    hello: seconds,
    maxage: seconds,
    maxwait: seconds,
    waitport: seconds,
    up_cmds: strings,
    down_cmds: strings,
    pre_up_cmds: strings,
    post_up_cmds: strings,
    pre_down_cmds: strings,
    post_down_cmds: strings,
    filename: { type: 'string', pattern: '^[^\\n]+$' },
    noifupdown: { type: 'boolean' },
  },
  // ifupdown refuses `inet static` without an address
  if: { not: { properties: { proto: { enum: ['dhcp', 'manual', 'loopback'] } }, required: ['proto'] } },
  then: { required: ['ipaddr'] },
  additionalProperties: false,
};

// $1 the interface: which tools are there, then `ip -o link` of it (nothing when it does not exist)
const PROBE = `command -v ifup >/dev/null 2>&1 && command -v ifdown >/dev/null 2>&1 && echo tool:ifupdown
[ -e /etc/network/if-pre-up.d/bridge ] && echo tool:bridge
ip -o link show dev "$1" 2>/dev/null || true`;

async function gather(host: Host, args: InterfaceArgs): Promise<NetFacts> {
  const file = stanzaFile(args);
  const [probe, content, interfaces] = await Promise.all([
    shell(host, PROBE, [args.name]),
    host.readFile(file),
    host.readFile(INTERFACES),
  ]);
  const out = probe.stdout.split('\n');
  const linkLine = out.find((l) => /^\d+: /.test(l));
  const flags = linkLine ? (/<([^>]*)>/.exec(linkLine)?.[1] ?? '').split(',') : [];
  return {
    file,
    content: content ? content.toString('utf8') : null,
    interfaces: interfaces ? interfaces.toString('utf8') : null,
    link: linkLine ? (flags.includes('UP') ? 'up' : 'down') : null,
    ifupdown: out.includes('tool:ifupdown'),
    bridgeHook: out.includes('tool:bridge'),
  };
}

export function planNetwork(args: InterfaceArgs, f: NetFacts): NetChange[] {
  const want = renderStanza(args);
  if (f.file === INTERFACES)
    throw new StateError(args.name, `filename ${INTERFACES} would replace that whole file with this one stanza`);
  if (f.interfaces !== null) {
    if (definesIface(f.interfaces, args.name))
      throw new StateError(args.name, `${INTERFACES} defines ${args.name} too; ifup would read it twice`);
    if (!sourcesDir(f.interfaces, f.file))
      throw new StateError(args.name, `${INTERFACES} does not source ${f.file.replace(/\/[^/]+$/, '')}`);
  }
  const changes: NetChange[] = [];
  if (f.content !== want) {
    changes.push({
      op: f.content === null ? 'create' : 'update',
      target: f.file,
      kind: 'file',
      diff: createTwoFilesPatch(f.file, f.file, f.content ?? '', want, undefined, undefined, { context: 3 }),
    });
  }
  if (args.noifupdown) return changes;
  const up = f.link === 'up';
  if (args.enabled !== false && !up) {
    changes.push({ op: 'update', target: args.name, kind: 'link', before: f.link ?? 'absent', after: 'up' });
  } else if (args.enabled !== false && changes.length) {
    changes.push({ op: 'run', target: args.name, kind: 'restart', after: `ifdown ${args.name}; ifup ${args.name}` });
  } else if (args.enabled === false && up) {
    changes.push({ op: 'update', target: args.name, kind: 'link', before: 'up', after: 'down' });
  }
  const links = changes.some((c) => c.kind !== 'file');
  if (links && !f.ifupdown)
    throw new MissingFactError('package', 'ifupdown', args.name, 'ifup/ifdown not found: install ifupdown first');
  if (links && args.type === 'bridge' && args.enabled !== false && !f.bridgeHook)
    throw new MissingFactError('package', 'bridge-utils', args.name, 'a bridge needs bridge-utils: install it first');
  return changes;
}

async function ifupdown(host: Host, state: string, verb: 'ifup' | 'ifdown', name: string): Promise<void> {
  const r = await host.exec([verb, name], { timeoutMs: 120_000 });
  if (r.exitCode !== 0) {
    const why = `${r.stderr}\n${r.stdout}`.trim().split('\n').filter(Boolean).at(-1) ?? `exit ${r.exitCode}`;
    throw new StateError(state, `${verb} ${name} failed: ${why}`);
  }
}

export const managed: StateFunction<InterfaceArgs, NetFacts, NetChange> = {
  schema,
  gather,
  plan: planNetwork,
  async apply(host, changes, ctx) {
    const a = ctx.args;
    for (const c of changes) {
      if (c.kind === 'file') {
        await host.mkdir(c.target.replace(/\/[^/]+$/, '') || '/', { recursive: true, mode: 0o755 });
        await host.writeFileAtomic(c.target, renderStanza(a), { mode: 0o644, owner: 'root', group: 'root' });
      } else if (c.kind === 'restart') {
        await ifupdown(host, ctx.name, 'ifdown', a.name);
        await ifupdown(host, ctx.name, 'ifup', a.name);
      } else if (c.kind === 'link') {
        await ifupdown(host, ctx.name, c.after === 'up' ? 'ifup' : 'ifdown', a.name);
      }
    }
  },
};
