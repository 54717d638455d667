// A host named twice on a push's command line is pushed once (engine/push/same-host.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory, resolveTargets } from '../../../engine/push/inventory.js';
import { withoutSameHost } from '../../../engine/push/same-host.js';

const inv = parseInventory(
  `hosts:
  web1: { address: 10.0.0.5, user: root }
  web1b: { address: 10.0.0.5, user: root, vars: { role: other } }
  db1: { address: 10.0.0.6, port: 2222, user: admin }
groups:
  web: [web1]
  all: [web1, db1]
`,
  'inventory.yml',
);

const run = (specs: string[], config: string | null = null) => {
  const said: string[] = [];
  const labels = withoutSameHost(resolveTargets(specs, inv), config as string, (m) => said.push(m)).map((t) => t.label);
  return { labels, said };
};

describe('the same host named twice', () => {
  it('is pushed once, under its first name, and the later names are said', () => {
    const r = run(['web1', 'root@10.0.0.5', 'root@10.0.0.5:22', 'all', 'admin@10.0.0.6:2222', 'root@10.0.0.6:2222']);
    expect(r.labels).toEqual(['web1', 'db1', 'root@10.0.0.6:2222']);
    expect(r.said).toEqual([
      'root@10.0.0.5: the same host as web1 (root@10.0.0.5): pushed once',
      'root@10.0.0.5:22: the same host as web1 (root@10.0.0.5): pushed once',
      'admin@10.0.0.6:2222: the same host as db1 (admin@10.0.0.6:2222): pushed once',
    ]);
  });

  it('two inventory names with different vars for one address stay two runs', () => {
    expect(run(['web1', 'web1b']).labels).toEqual(['web1', 'web1b']);
  });

  it('reads ~/.ssh/config as the connection will: an alias and its HostName are one host', () => {
    const config = join(mkdtempSync(join(tmpdir(), 'brine-same-host-')), 'config');
    writeFileSync(config, 'Host front\n  HostName 10.0.0.5\n  User root\n');
    expect(run(['front', 'web1'], config)).toEqual({
      labels: ['front'],
      said: ['web1: the same host as front (root@10.0.0.5): pushed once'],
    });
  });
});
