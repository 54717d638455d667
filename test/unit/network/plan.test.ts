// network.managed as data: the ifupdown stanza it writes, the plan from facts, the schema.
import { describe, expect, it } from 'vitest';
import type { StateDecl } from '../../../engine/highdata.js';
import { MissingFactError } from '../../../engine/run/missing-fact.js';
import { type NetFacts, planNetwork } from '../../../modules/network/managed.js';
import { type InterfaceArgs, renderStanza, sourcesDir, stanzaFile } from '../../../modules/network/stanza.js';
import { compile } from '../../support/compile.js';

const br: InterfaceArgs = {
  name: 'br-lab',
  type: 'bridge',
  enabled: true,
  proto: 'static',
  ipaddr: '10.77.0.1',
  netmask: '255.255.255.0',
  stp: false,
  ports: 'none',
};
const STANZA =
  'auto br-lab\niface br-lab inet static\n    address 10.77.0.1\n    netmask 255.255.255.0\n' +
  '    bridge_ports none\n    bridge_stp off\n';
const DEBIAN_DEFAULT = 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n';
const f = (o: Partial<NetFacts> = {}): NetFacts => ({
  file: '/etc/network/interfaces.d/br-lab',
  content: STANZA,
  interfaces: DEBIAN_DEFAULT,
  link: 'up',
  ifupdown: true,
  bridgeHook: true,
  ...o,
});
const ops = (a: InterfaceArgs, facts: NetFacts) => planNetwork(a, facts).map((c) => [c.op, c.target, c.after]);

describe('network.managed stanza', () => {
  it('writes what Salt writes for a bridge: auto, iface, options, bridge_* sorted', () => {
    expect(renderStanza(br)).toBe(STANZA);
    expect(renderStanza({ ...br, stp: 'on', ports: ['eth1', 'eth2'], fd: 0, maxwait: 5 })).toContain(
      '    bridge_fd 0\n    bridge_maxwait 5\n    bridge_ports eth1 eth2\n    bridge_stp on\n',
    );
  });

  it('disabled: no auto line; dhcp; dns, mtu and commands in the template order', () => {
    expect(
      renderStanza({
        name: 'eth1',
        type: 'eth',
        enabled: false,
        proto: 'dhcp',
        mtu: 9000,
        dns: ['10.0.0.53', '10.0.1.53'],
        up_cmds: ['ip route add 10.9.0.0/16 dev eth1'],
        pre_down_cmds: ['true'],
      }),
    ).toBe(
      'iface eth1 inet dhcp\n    mtu 9000\n    dns-nameservers 10.0.0.53 10.0.1.53\n' +
        '    up ip route add 10.9.0.0/16 dev eth1\n    pre-down true\n',
    );
  });

  it('the file: interfaces.d/NAME, a relative filename under interfaces.d, an absolute one as given', () => {
    expect(stanzaFile(br)).toBe('/etc/network/interfaces.d/br-lab');
    expect(stanzaFile({ ...br, filename: 'lab' })).toBe('/etc/network/interfaces.d/lab');
    expect(stanzaFile({ ...br, filename: '/etc/network/interfaces' })).toBe('/etc/network/interfaces');
    expect(sourcesDir(DEBIAN_DEFAULT, '/etc/network/interfaces.d/x')).toBe(true);
    expect(sourcesDir('source-directory /etc/network/interfaces.d\n', '/etc/network/interfaces.d/x')).toBe(true);
    expect(sourcesDir('auto lo\niface lo inet loopback\n', '/etc/network/interfaces.d/x')).toBe(false);
  });
});

describe('network.managed plan', () => {
  it('nothing when the stanza holds and the link is up', () => {
    expect(planNetwork(br, f())).toEqual([]);
  });

  it('a new stanza and an absent link: the file, then ifup', () => {
    const p = planNetwork(br, f({ content: null, link: null }));
    expect(p.map((c) => [c.op, c.target, c.before, c.after])).toEqual([
      ['create', '/etc/network/interfaces.d/br-lab', undefined, undefined],
      ['update', 'br-lab', 'absent', 'up'],
    ]);
    expect(p[0]!.diff).toContain('+    bridge_stp off');
  });

  it('a changed stanza of an up link restarts it (ifdown + ifup), as Salt does', () => {
    expect(ops({ ...br, netmask: '255.255.0.0' }, f())).toEqual([
      ['update', '/etc/network/interfaces.d/br-lab', undefined],
      ['run', 'br-lab', 'ifdown br-lab; ifup br-lab'],
    ]);
  });

  it('disabled: the stanza without auto, and ifdown when up; noifupdown leaves the link alone', () => {
    const off = { ...br, enabled: false };
    expect(ops(off, f({ content: renderStanza(off) }))).toEqual([['update', 'br-lab', 'down']]);
    expect(ops(off, f({ content: renderStanza(off), link: 'down' }))).toEqual([]);
    expect(ops({ ...br, noifupdown: true }, f({ content: null, link: null }))).toEqual([
      ['create', '/etc/network/interfaces.d/br-lab', undefined],
    ]);
  });

  it('without ifupdown or bridge-utils: a missing package a pending pkg state may provide', () => {
    const e1 = (() => {
      try {
        planNetwork(br, f({ link: null, ifupdown: false }));
      } catch (e) {
        return e;
      }
    })() as MissingFactError;
    expect(e1).toBeInstanceOf(MissingFactError);
    expect([e1.kind, e1.fact]).toEqual(['package', 'ifupdown']);
    expect(() => planNetwork(br, f({ link: 'down', bridgeHook: false }))).toThrow(/bridge-utils/);
    // the file alone (noifupdown) needs neither
    const alone = { ...br, noifupdown: true };
    expect(ops(alone, f({ content: null, ifupdown: false, bridgeHook: false, link: null })).length).toBe(1);
  });

  it('refuses an interfaces file that defines the interface too or does not source the directory', () => {
    expect(() => planNetwork(br, f({ interfaces: `${DEBIAN_DEFAULT}iface br-lab inet manual\n` }))).toThrow(
      /defines br-lab too/,
    );
    const whole = { ...br, filename: '/etc/network/interfaces' };
    expect(() => planNetwork(whole, f({ file: '/etc/network/interfaces' }))).toThrow(/replace that whole file/);
    expect(() => planNetwork(br, f({ interfaces: 'auto lo\niface lo inet loopback\n' }))).toThrow(
      /does not source \/etc\/network\/interfaces.d$/,
    );
  });
});

describe('network.managed schema', () => {
  const decl = (args: Record<string, unknown>): StateDecl => ({
    id: 'net',
    sls: 'top',
    module: 'network',
    fun: 'managed',
    loc: { file: 'top.sls', line: 3 },
    args: Object.entries(args).map(([key, value], i) => ({ key, value, loc: { file: 'top.sls', line: 4 + i } })),
  });
  const one = (args: Record<string, unknown>) =>
    compile({ states: [decl(args)], sls: ['top'], extend: [], exclude: [] });

  it('takes Salt forms: stp as YAML boolean or word, ports as a word or a list', () => {
    expect(() => one({ ...br })).not.toThrow();
    expect(() => one({ ...br, stp: 'off', ports: ['eth1'] })).not.toThrow();
    expect(() => one({ name: 'eth1', type: 'eth', proto: 'dhcp' })).not.toThrow();
  });

  it.each([
    [{ name: 'eth1', type: 'eth' }, /top.sls:3: .*ipaddr/],
    [{ ...br, type: 'bond' }, /top.sls:5: .*argument 'type'/],
    [{ ...br, stp: 'maybe' }, /argument 'stp'/],
    [{ ...br, ipadr: '10.0.0.1' }, /unknown argument 'ipadr'.*ipaddr/],
  ])('rejects %j', (args, msg) => {
    expect(() => one(args)).toThrow(msg);
  });
});
