// `brine push` end to end (the built CLI): three hosts at once from an inventory, one unreachable
// (exit 1, the other two applied), one logged in as a sudo user; pillar from each target's own
// /app/env.yml, inventory vars, or a local --env; --test changes nothing and exits 2 on drift;
// a no-op push costs at most 3 round trips (issue 17).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargets, type Target } from '../../harness/nspawn.js';
import { brinePush } from './brine-push.js';
import { build } from '../cli/tree.js';
import { addSudoUser } from './sudo-user.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

describe('brine push', () => {
  let a: Target;
  let b: Target;
  const dir = mkdtempSync(join(tmpdir(), 'brine-push-'));
  const kh = join(dir, 'known_hosts');
  const inv = join(dir, 'inventory.yml');
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');

  const push = (args: string[]) => brinePush(args, { inventory: inv, knownHosts: kh, key: a.keyPath, states, pillar });
  const json = (stdout: string) =>
    JSON.parse(stdout) as {
      exitCode: number;
      hosts: {
        host: string;
        status: string;
        roundTrips: number;
        error: string | null;
        report: { summary: { changed: number; failed: number } } | null;
      }[];
    };
  const cat = async (t: Target, path: string) => (await t.ssh(`cat ${path}`)).stdout;

  beforeAll(async () => {
    await build();
    [a, b] = (await startTargets(2)) as [Target, Target];
    await addSudoUser(b, 'deploy');
    writeFileSync(kh, readFileSync(a.knownHostsPath, 'utf8') + readFileSync(b.knownHostsPath, 'utf8'));
    mkdirSync(states);
    mkdirSync(pillar);
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - demo\n");
    writeFileSync(
      join(states, 'demo.sls'),
      `/etc/brine-demo.conf:
  file.managed:
    - contents: "domain={{ salt['pillar.get']('appliance:domain', 'none') }} motd={{ salt['pillar.get']('motd', ` +
        `'none') }} id={{ grains['id'] }}"
    - mode: '0640'
/srv/brine-demo:
  file.directory:
    - mode: '0750'
demo-cmd:
  cmd.run:
    - name: touch /srv/brine-demo/ran
    - creates: /srv/brine-demo/ran
    - require:
      - file: /srv/brine-demo
`,
    );
    writeFileSync(join(pillar, 'top.sls'), "base:\n  '*':\n    - common\n");
    writeFileSync(join(pillar, 'common.sls'), 'motd: from-pillar\n');
    writeFileSync(
      inv,
      `hosts:
  alpha: { address: 127.0.0.1, port: ${a.port}, user: root, vars: { motd: from-inventory } }
  beta: { address: 127.0.0.1, port: ${b.port}, user: deploy }
  gamma: { address: 127.0.0.1, port: 1 }
groups:
  live: [alpha, beta]
  all: { hosts: [live, gamma] }
`,
    );
    // alpha has its own env on the target
    const env = readFileSync(join(REPO, 'pillar/default-env.yml'), 'utf8').replace(
      /^ {2}domain: .*$/m,
      '  domain: alpha.example.test',
    );
    expect(env).toContain('alpha.example.test');
    expect((await a.ssh('mkdir -p /app && cat > /app/env.yml', { stdin: env })).exitCode).toBe(0);
    copyFileSync(join(REPO, 'pillar/default-env.yml'), join(dir, 'local-env.yml'));
    writeFileSync(join(dir, 'local-env.yml'), env.replace('alpha.example.test', 'local.example.test'));
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((t) => t.stop()));
  });

  it('applies to the reachable hosts in parallel, reports the unreachable one, exits 1', async () => {
    const r = await push(['all']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('=== alpha');
    expect(r.stdout).toContain('=== beta');
    expect(r.stdout).toMatch(/alpha\s+ok\s+0\s+3\s+0/);
    expect(r.stdout).toMatch(/beta\s+ok\s+0\s+3\s+0/);
    expect(r.stdout).toMatch(/gamma\s+unreachable\s+\S+\s+.*ECONNREFUSED/);
    expect(r.stdout).toContain('3 host(s): 2 ok, 1 unreachable');
    expect(await cat(a, '/etc/brine-demo.conf')).toBe(`domain=alpha.example.test motd=from-inventory id=${a.name}`);
    expect(await cat(b, '/etc/brine-demo.conf')).toBe(`domain=none motd=from-pillar id=${b.name}`);
    for (const t of [a, b]) {
      expect(
        (await t.ssh('stat -c "%a %U" /etc/brine-demo.conf /srv/brine-demo && test -e /srv/brine-demo/ran')).stdout,
      ).toBe('640 root\n750 root');
    }
  });

  it('a second push changes nothing, exits 0, and costs at most 3 round trips', async () => {
    const r = await push(['live', '--out', 'json']);
    expect(r.code).toBe(0);
    const doc = json(r.stdout);
    expect(doc.hosts.map((h) => [h.host, h.status, h.report?.summary.changed])).toEqual([
      ['alpha', 'ok', 0],
      ['beta', 'ok', 0],
    ]);
    const alpha = doc.hosts[0]!;
    // grains + env files + probe (1 exec), run lock + temp sweep (1), facts (1): whatever the states
    process.stdout.write(
      `no-op push round trips: alpha (root) ${alpha.roundTrips}, beta (sudo) ${doc.hosts[1]!.roundTrips}\n`,
    );
    expect(alpha.roundTrips).toBeGreaterThan(0);
    expect(alpha.roundTrips).toBeLessThanOrEqual(3);
    expect(doc.hosts[1]!.roundTrips).toBeLessThanOrEqual(3);
  });

  it('--test reports drift with exit 2 and changes nothing', async () => {
    await a.ssh('echo tampered > /etc/brine-demo.conf');
    const r = await push(['alpha', '--test']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/-tampered/);
    expect(r.stdout).toMatch(/alpha\s+would change/);
    expect(await cat(a, '/etc/brine-demo.conf')).toBe('tampered');
    expect((await push(['alpha'])).code).toBe(0);
    expect(await cat(a, '/etc/brine-demo.conf')).toContain('domain=alpha.example.test');
  });

  it('--env gives every host the local env instead of its own', async () => {
    const r = await push(['live', '--env', join(dir, 'local-env.yml')]);
    expect(r.code).toBe(0);
    expect(await cat(a, '/etc/brine-demo.conf')).toContain('domain=local.example.test motd=from-inventory');
    expect(await cat(b, '/etc/brine-demo.conf')).toContain('domain=local.example.test motd=from-pillar');
  });

  it('refuses a host whose key is not in known_hosts, with the fingerprint; --accept-new adds it', async () => {
    writeFileSync(kh, readFileSync(a.knownHostsPath, 'utf8'));
    const localEnv = ['--env', join(dir, 'local-env.yml')];
    const r = await push(['live', '--test', ...localEnv]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/beta\s+unreachable.*not known \(ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\)/);
    const ok = await push(['live', '--test', '--accept-new', ...localEnv]);
    expect(ok.code).toBe(0);
    expect(readFileSync(kh, 'utf8')).toContain(`[127.0.0.1]:${b.port} ${b.hostKey}`);
  });

  it('a host refusing non-root logins (booting: /run/nologin) is unreachable with sshd reason', async () => {
    const msg = 'System is booting up. Unprivileged users are not permitted to log in yet.';
    expect((await b.ssh(`printf '%s\\n' '${msg}' > /run/nologin`)).exitCode).toBe(0);
    try {
      const r = await push(['live', '--test', '--env', join(dir, 'local-env.yml')]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/alpha\s+ok/);
      expect(r.stdout).toContain(`unreachable: the server closed the connection while logging in as deploy: ${msg}`);
    } finally {
      await b.ssh('rm -f /run/nologin');
    }
  });

  it('rejects bad input with one line and exit 3', async () => {
    const r = await push(['nosuchgroup:99999']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe("brine: bad target 'nosuchgroup:99999': port 99999 out of range");
  });
});
