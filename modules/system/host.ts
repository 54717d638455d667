// host.present / host.absent: a name on one or more addresses in /etc/hosts, as Salt's host states;
// host.only: exactly these names on an address.
// `clean: True` removes the name from other addresses; without it a name found on another
// address is a warning (Salt's too).
import { createTwoFilesPatch } from 'diff';
import { isIP } from 'node:net';
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateCtx, StateFunction } from '../../engine/contract.js';
import { addressesOf, withHost, withOnly, withoutHost } from './hosts-file.js';

export interface HostArgs {
  name: string;
  ip: string | string[];
  clean?: boolean;
}

export interface HostFacts {
  /** /etc/hosts, '' when missing. */
  text: string;
}

const HOSTS = '/etc/hosts';
const ips = (a: HostArgs): string[] => (Array.isArray(a.ip) ? a.ip : [a.ip]).map(String);

/** The wanted /etc/hosts text, or a warning for a name left on another address. */
export function wantedHosts(a: HostArgs, text: string, absent: boolean, warn?: (m: string) => void): string {
  let next = text;
  for (const ip of ips(a)) {
    if (!absent && !isIP(ip)) throw new StateError(a.name, `Invalid IP Address for ${a.name} (${ip})`);
    next = absent ? withoutHost(next, ip, a.name) : withHost(next, ip, a.name);
  }
  if (absent) return next;
  for (const other of addressesOf(text, a.name).filter((x) => !ips(a).includes(x))) {
    if (a.clean) next = withoutHost(next, other, a.name);
    else warn?.(`Host ${a.name} present for IP address ${other} (clean: True removes it, or add ${other} to ip)`);
  }
  return next;
}

function planHost(a: HostArgs, f: HostFacts, absent: boolean, ctx?: StateCtx<HostArgs>): Change[] {
  const next = wantedHosts(a, f.text, absent, (m) => ctx?.log.warn(m));
  if (next === f.text) return [];
  return [
    {
      op: absent ? 'delete' : 'update',
      target: `${HOSTS}: ${a.name}`,
      diff: createTwoFilesPatch(HOSTS, HOSTS, f.text, next, undefined, undefined, { context: 1 }),
    },
  ];
}

const schema = (extra: Record<string, unknown>) => ({
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[^\\s#]+$' },
    ip: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      ],
    },
    ...extra,
  },
  required: ['name', 'ip'],
  additionalProperties: false,
});

async function readHosts(host: Host): Promise<HostFacts> {
  return { text: (await host.readFile(HOSTS))?.toString('utf8') ?? '' };
}

/** /etc/hosts read once for every state that reads it. */
async function readHostsMany(host: Host, items: unknown[]): Promise<HostFacts[]> {
  const f = await readHosts(host);
  return items.map(() => ({ ...f }));
}

function hostFn(absent: boolean): StateFunction<HostArgs, HostFacts> {
  return {
    schema: schema(absent ? {} : { clean: { type: 'boolean' } }),
    ...(absent ? {} : { inert: { comment: 'brine does not write comments into /etc/hosts' } }),
    lock: 'hosts',
    gather: readHosts,
    gatherMany: readHostsMany,
    plan: (a, f, ctx) => planHost(a, f, absent, ctx),
    async apply(host, _changes, ctx) {
      const cur = (await host.readFile(HOSTS))?.toString('utf8') ?? '';
      await host.writeFileAtomic(HOSTS, wantedHosts(ctx.args, cur, absent), { mode: 0o644 });
    },
  };
}

export const present = hostFn(false);
export const absent = hostFn(true);

export interface OnlyArgs {
  name: string;
  hostnames: string | string[];
}

export const only: StateFunction<OnlyArgs, HostFacts> = {
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      hostnames: {
        anyOf: [
          { type: 'string', pattern: '^[^\\s#]+$' },
          { type: 'array', items: { type: 'string', pattern: '^[^\\s#]+$' } },
        ],
      },
    },
    required: ['name', 'hostnames'],
    additionalProperties: false,
  },
  lock: 'hosts',
  gather: readHosts,
  gatherMany: readHostsMany,
  plan(a, f) {
    if (!isIP(a.name)) throw new StateError(a.name, `Invalid IP Address ${a.name}`);
    const next = withOnly(f.text, a.name, typeof a.hostnames === 'string' ? [a.hostnames] : a.hostnames);
    return next === f.text
      ? []
      : [
          {
            op: 'update',
            target: `${HOSTS}: ${a.name}`,
            diff: createTwoFilesPatch(HOSTS, HOSTS, f.text, next, undefined, undefined, { context: 1 }),
          },
        ];
  },
  async apply(host, _changes, ctx) {
    const cur = (await host.readFile(HOSTS))?.toString('utf8') ?? '';
    const names = typeof ctx.args.hostnames === 'string' ? [ctx.args.hostnames] : ctx.args.hostnames;
    await host.writeFileAtomic(HOSTS, withOnly(cur, ctx.args.name, names), { mode: 0o644 });
  },
};
