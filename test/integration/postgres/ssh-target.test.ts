// The postgres modules over SSH, against PostgreSQL running as a systemd service in a booted
// Debian 12 target (test/harness): the same gather/plan/apply, with psql run as the postgres user
// on the target through the SSH Host. The target shares the host's network, so its cluster listens
// on 5433 (5432 belongs to this machine's cluster) and a TCP login from here reaches it.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.js';
import { connectSsh } from '../../../engine/host/ssh.js';
import { modules } from '../../../modules/postgres/index.js';
import { startTargets, sshTarget, type Target } from '../../harness/nspawn.js';
import { checkApply, plan } from '../../support/checkapply.js';

const PORT = 5433;
const DEB_CACHE = '/var/cache/brine-test/apt-archives-postgres';
const PASSWORD = 'over-ssh-Secret-9f2c';

function tcpLogin(role: string, password: string, db: string): string | null {
  try {
    return execFileSync(
      'psql',
      [
        '-X',
        '-A',
        '-t',
        '-h',
        '127.0.0.1',
        '-p',
        String(PORT),
        '-U',
        role,
        '-d',
        db,
        '-c',
        "SELECT current_user || ':' || current_database()",
      ],
      {
        env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ).trim();
  } catch {
    return null;
  }
}

describe('postgres modules over SSH on a booted Debian target', () => {
  let target: Target;
  let host: Host;

  beforeAll(async () => {
    [target] = (await startTargets(1, { prefix: 'brine-pg' })) as [Target];
    // Downloaded packages are kept on this machine between runs, so only the first run fetches them.
    const archives = join(target.rootfs, 'var/cache/apt/archives');
    mkdirSync(DEB_CACHE, { recursive: true });
    execFileSync('sh', ['-c', 'cp -n "$1"/*.deb "$2"/ 2>/dev/null || true', 'sh', DEB_CACHE, archives]);
    const install = await target.ssh(
      [
        'set -e',
        'export DEBIAN_FRONTEND=noninteractive',
        'apt-get update -qq',
        // The package's own cluster cannot bind 5432 (this machine has it): move it to 5433.
        'apt-get install -y -qq --no-install-recommends postgresql >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log ' +
          '>&2; true; }',
        'test -f /etc/postgresql/15/main/postgresql.conf',
        `sed -i 's/^port = .*/port = ${PORT}/' /etc/postgresql/15/main/postgresql.conf`,
        'sed -i "s/^#\\?listen_addresses = .*/listen_addresses = \'127.0.0.1\'/" ' +
          '/etc/postgresql/15/main/postgresql.conf',
        'systemctl restart postgresql@15-main',
        'systemctl is-active postgresql@15-main',
      ].join('\n'),
      { timeoutMs: 600_000 },
    );
    if (install.exitCode !== 0)
      throw new Error(`installing postgresql in the target failed: ${install.stderr.slice(-2000)}`);
    execFileSync('sh', ['-c', 'cp -n "$1"/*.deb "$2"/ 2>/dev/null || true', 'sh', archives, DEB_CACHE]);
    const { target: t, options } = sshTarget(target);
    host = await connectSsh(t, options);
  }, 900_000);

  afterAll(async () => {
    await host?.close();
    await target?.stop();
  });

  it(
    'creates a role, a database and an extension; the password logs in over TCP; a second run plans ' + 'nothing',
    async () => {
      const user = modules.postgres_user!.present!;
      const db = modules.postgres_database!.present!;
      const ext = modules.postgres_extension!.present!;
      const role = { name: 'ecs', password: PASSWORD, createdb: true, port: PORT };
      const database = {
        name: 'ecs',
        owner: 'ecs',
        encoding: 'UTF8',
        lc_collate: 'C.UTF-8',
        lc_ctype: 'C.UTF-8',
        port: PORT,
      };
      const trgm = { name: 'pg_trgm', db: 'ecs', port: PORT };

      const dry = await plan(host, user, role);
      expect(dry).toEqual([
        { op: 'create', kind: 'role', target: 'ecs', after: { createdb: true, login: true, password: 'set' } },
      ]);
      expect(tcpLogin('ecs', PASSWORD, 'postgres')).toBeNull();

      for (const [fn, args] of [
        [user, role],
        [db, database],
        [ext, trgm],
      ] as const) {
        const r = await checkApply(host, fn, args as never);
        expect(r.planned).toHaveLength(1);
        expect(r.replanned).toEqual([]);
        expect(JSON.stringify(r)).not.toContain(PASSWORD);
      }
      expect(tcpLogin('ecs', PASSWORD, 'ecs')).toBe('ecs:ecs');
      expect(tcpLogin('ecs', 'not-the-password', 'ecs')).toBeNull();
      const probe = await target.ssh(
        `runuser -u postgres -- psql -X -A -t -p ${PORT} -d ecs -c "SELECT pg_get_userbyid(datdba) || ' ' || ` +
          `datcollate FROM pg_database WHERE datname = 'ecs'; SELECT similarity('brine', 'brine')"`,
      );
      expect(probe.stdout.trim().split('\n')).toEqual(['ecs C.UTF-8', '1']);

      // The no-op run: everything in place.
      expect(await plan(host, user, role)).toEqual([]);
      expect(await plan(host, db, database)).toEqual([]);
      expect(await plan(host, ext, trgm)).toEqual([]);
    },
  );
});
