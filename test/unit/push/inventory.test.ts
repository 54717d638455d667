// Inventory parsing (errors name file and key) and TARGET expansion (hosts, groups, specs, vars).
import { describe, expect, it } from 'vitest';
import { parseInventory, resolveTargets } from '../../../engine/push/inventory.js';
import { withInventoryVars } from '../../../engine/push/push-host.js';
import { Redactor } from '../../../engine/redact.js';

const INV = `
hosts:
  web1: { address: 10.0.0.5, port: 2222, user: admin, identity: ~/.ssh/ecs, vars: { motd: web1, nested: { a: 1 } } }
  web2: { address: 10.0.0.6 }
  db1: {}
groups:
  web:
    hosts: [web1, web2]
    vars: { motd: group, nested: { b: 2 }, list: [1, 2] }
  prod: [web, db1]
`;

describe('inventory', () => {
  const inv = parseInventory(INV, 'inv.yml');

  it('expands groups (nested) into hosts, once each, in order', () => {
    const ts = resolveTargets(['prod', 'web1', 'root@other:22'], inv);
    expect(ts.map((t) => t.label)).toEqual(['web1', 'web2', 'db1', 'root@other:22']);
    expect(ts[0]!.target).toEqual({ host: '10.0.0.5', port: 2222, user: 'admin' });
    expect(ts[0]!.identity).toMatch(/\/\.ssh\/ecs$/);
    expect(ts[2]!.target).toEqual({ host: 'db1' });
    expect(ts[3]!.target).toEqual({ host: 'other', user: 'root', port: 22 });
  });

  it('merges group vars under host vars (maps merged, lists replaced)', () => {
    const [web1, web2] = resolveTargets(['web'], inv);
    expect(web1!.vars).toEqual({ motd: 'web1', nested: { a: 1, b: 2 }, list: [1, 2] });
    expect(web2!.vars).toEqual({ motd: 'group', nested: { b: 2 }, list: [1, 2] });
  });

  it("inventory vars are pillar: merged in, and their secrets registered like the pillar's", () => {
    const [t] = resolveTargets(
      ['h1'],
      parseInventory(
        'hosts:\n  h1:\n    vars:\n      smtp: { pass: inv-smtp-pass-1, host: mail.example.org }\n      db_pw: Zq9x\n',
        'inv.yml',
      ),
    );
    const r = new Redactor();
    const pillar = withInventoryVars({ smtp: { port: 25 } }, t!.vars, r);
    expect(pillar).toEqual({ smtp: { port: 25, pass: 'inv-smtp-pass-1', host: 'mail.example.org' }, db_pw: 'Zq9x' });
    expect(r.redact(JSON.stringify(pillar))).toBe(
      '{"smtp":{"port":25,"pass":"<redacted>","host":"mail.example.org"},"db_pw":"<redacted>"}',
    );
  });

  it('treats names not in the inventory as [user@]host[:port]', () => {
    expect(resolveTargets(['admin@h:2200'])).toEqual([
      { label: 'admin@h:2200', target: { host: 'h', user: 'admin', port: 2200 }, vars: {} },
    ]);
  });

  it.each([
    ['hosts: [a]', 'inv.yml: hosts: expected a mapping of host names'],
    ['hosts: { a: { port: huge } }', "inv.yml: hosts.a.port: expected a port number, got 'huge'"],
    ['hosts: { a: { adress: x } }', 'inv.yml: hosts.a.adress: unknown key'],
    ['groups: { g: [nope] }', "inv.yml: groups.g: 'nope' is neither a host nor a group"],
    ['hostz: {}', 'inv.yml: hostz: unknown key'],
    ['hosts: {a: [}', 'inv.yml:1:'],
  ])('rejects %s', (text, msg) => {
    expect(() => parseInventory(text, 'inv.yml')).toThrow(msg);
  });

  it('takes an IPv6 address with or without brackets', () => {
    const inv = parseInventory('hosts:\n  a: { address: "[2001:db8::5]" }\n  b: { address: "::1" }\n', 'i.yml');
    expect(resolveTargets(['a', 'b'], inv).map((t) => t.target.host)).toEqual(['2001:db8::5', '::1']);
  });

  it('rejects a group that includes itself', () => {
    const inv2 = parseInventory('groups: { a: [b], b: [a] }', 'inv.yml');
    expect(() => resolveTargets(['a'], inv2)).toThrow(/groups\.a: includes itself/);
  });
});
