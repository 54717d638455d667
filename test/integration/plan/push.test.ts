// Saved plans over SSH, on two booted Debian targets (test/harness/nspawn.ts): `brine push --test
// --plan-out` plans both hosts; `brine push --plan` applies exactly that plan to both ("as
// planned"); when one host drifted after the plan, neither host changes (exit 4) unless
// `--partial` is given, which applies the host that still matches and leaves the drifted one.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargets, type Target } from '../../harness/nspawn.js';
import { brinePush } from '../ssh/brine-push.js';
import { build } from '../cli/tree.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

describe('brine push with saved plans', () => {
  let a: Target;
  let b: Target;
  const dir = mkdtempSync(join(tmpdir(), 'brine-plan-push-'));
  const kh = join(dir, 'known_hosts');
  const inv = join(dir, 'inventory.yml');
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  const env = join(dir, 'env.yml');

  const push = (args: string[]) =>
    brinePush(args, { inventory: inv, knownHosts: kh, key: a.keyPath, states, pillar, env });
  const cat = async (t: Target, path: string) => (await t.ssh(`cat ${path} 2>/dev/null || echo MISSING`)).stdout.trim();
  const version = (v: string) =>
    writeFileSync(
      join(states, 'demo.sls'),
      `/etc/brine-plan.conf:
  file.managed:
    - contents: "version=${v} id={{ grains['id'] }} password={{ pillar['app']['db_password'] }}"
    - mode: '0640'
/etc/brine-plan.motd:
  file.managed:
    - contents: "motd ${v}"
mark:
  cmd.run:
    - name: echo ${v} >> /root/brine-plan.log
    - onchanges:
      - file: /etc/brine-plan.motd
`,
    );

  beforeAll(async () => {
    await build();
    [a, b] = (await startTargets(2)) as [Target, Target];
    writeFileSync(kh, readFileSync(a.knownHostsPath, 'utf8') + readFileSync(b.knownHostsPath, 'utf8'));
    mkdirSync(states);
    mkdirSync(pillar);
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - demo\n");
    writeFileSync(join(pillar, 'top.sls'), "base:\n  '*':\n    - app\n");
    writeFileSync(join(pillar, 'app.sls'), 'app:\n  db_password: plan-push-secret-7Hq2xZ\n');
    writeFileSync(env, readFileSync(join(REPO, 'pillar/default-env.yml'), 'utf8'), { mode: 0o600 });
    writeFileSync(
      inv,
      `hosts:\n  alpha: { address: 127.0.0.1, port: ${a.port}, user: root }\n  beta: { address: 127.0.0.1, ` +
        `port: ${b.port}, user: root }\n`,
    );
  }, 300_000);
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((t) => t.stop()));
  });

  it('plans both hosts, then applies exactly that plan to both', async () => {
    version('1');
    const plan = join(dir, 'plan1.json');
    const dry = await push(['alpha', 'beta', '--test', '--plan-out', plan]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain(`plan written to ${plan}: 2 host(s), 6 state(s) would change`);
    const p = JSON.parse(readFileSync(plan, 'utf8'));
    expect(p.command).toBe('push');
    expect(p.hosts.map((h: { target: string; host: string }) => [h.target, h.host])).toEqual([
      ['alpha', a.name],
      ['beta', b.name],
    ]);
    expect(readFileSync(plan, 'utf8')).not.toContain('plan-push-secret-7Hq2xZ');
    expect(await cat(a, '/etc/brine-plan.conf')).toBe('MISSING');
    // what a killed write left: the apply's run lock command removes it (no round trip of its own)
    const stale = '/etc/.brine-plan.conf.brine-0123456789ab';
    expect((await a.ssh(`printf half > ${stale} && touch -d "1 hour ago" ${stale}`)).exitCode).toBe(0);

    const r = await push(['--plan', plan]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`alpha: removed 1 temp file(s) an interrupted run left: ${stale}`);
    expect(await cat(a, stale)).toBe('MISSING');
    expect(r.stdout.match(/as planned: plan [0-9a-f]{12} applied \(3 state\(s\) changed, 3 checked\)/g)).toHaveLength(
      2,
    );
    expect(r.stdout).toMatch(/alpha\s+ok/);
    expect(r.stdout).toMatch(/beta\s+ok/);
    for (const t of [a, b]) {
      expect(await cat(t, '/etc/brine-plan.conf')).toBe(`version=1 id=${t.name} password=plan-push-secret-7Hq2xZ`);
      expect(await cat(t, '/root/brine-plan.log')).toBe('1');
    }
  });

  it('one host drifted after the plan: neither changes (exit 4); --partial applies the other only', async () => {
    version('2');
    const plan = join(dir, 'plan2.json');
    expect((await push(['--test', '--plan-out', plan, 'alpha', 'beta'])).code).toBe(2);
    await b.ssh('echo hand-edited > /etc/brine-plan.motd');

    const r = await push(['--plan', plan]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('beta: the plan no longer matches: 1 state(s) differ');
    expect(r.stdout).toContain('--- file.managed: /etc/brine-plan.motd');
    expect(r.stdout).toMatch(/alpha\s+not started/);
    expect(r.stdout).toMatch(/beta\s+refused/);
    expect(r.stderr).toContain('nothing was changed on any host (--partial applies the hosts that match)');
    expect(await cat(a, '/etc/brine-plan.motd')).toBe('motd 1');
    expect(await cat(a, '/root/brine-plan.log')).toBe('1');
    expect(await cat(b, '/etc/brine-plan.motd')).toBe('hand-edited');

    const partial = await push(['--plan', plan, '--partial', '--out', 'markdown']);
    expect(partial.code).toBe(4);
    expect(partial.stdout).toContain('### brine push: 2 host(s)');
    expect(partial.stdout).toMatch(/\| `alpha` \| ok \| 3 \| 0 \| 3 \|/);
    expect(partial.stdout).toContain('| `beta` | refused: not as planned: 1 state(s) differ; nothing changed |');
    expect(partial.stdout).toContain('**as planned: plan');
    expect(partial.stdout).toContain('| planned | now |');
    expect(partial.stdout).not.toContain('plan-push-secret-7Hq2xZ');
    expect(await cat(a, '/etc/brine-plan.motd')).toBe('motd 2');
    expect(await cat(a, '/etc/brine-plan.conf')).toBe(`version=2 id=${a.name} password=plan-push-secret-7Hq2xZ`);
    expect(await cat(a, '/root/brine-plan.log')).toBe('1\n2');
    expect(await cat(b, '/etc/brine-plan.motd')).toBe('hand-edited');
    expect(await cat(b, '/etc/brine-plan.conf')).toBe(`version=1 id=${b.name} password=plan-push-secret-7Hq2xZ`);
    expect(await cat(b, '/root/brine-plan.log')).toBe('1');
  });

  it('a plan with nothing to change applies in 4 round trips: grains, lock and sweep, 2 fact reads', async () => {
    const plan = join(dir, 'plan3.json');
    expect((await push(['--test', '--plan-out', plan, 'alpha'])).code).toBe(0);
    const r = await push(['--plan', plan, '--out', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { hosts: { host: string; roundTrips: number }[] };
    process.stdout.write(`push --plan with nothing to change: ${doc.hosts[0]!.roundTrips} round trips\n`);
    // grains + env (1), the run lock with the temp sweep (1), the dry run's facts (1), the apply's (1)
    expect(doc.hosts[0]!.roundTrips).toBe(4);
  });

  it('refuses a target the plan does not have, and a plan of another command', async () => {
    const plan = join(dir, 'plan2.json');
    const r = await push(['--plan', plan, 'gamma']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`brine: ${plan}: no plan for target 'gamma' (the plan has: alpha, beta)`);
    const local = join(dir, 'local.json');
    writeFileSync(local, JSON.stringify({ ...JSON.parse(readFileSync(plan, 'utf8')), command: 'highstate' }));
    const r2 = await push(['--plan', local]);
    expect(r2.code).toBe(3);
    expect(r2.stderr.trim()).toBe(
      `brine: ${local}: a plan of \`brine highstate\`: apply it with \`brine apply ${local}\``,
    );
  });
});
