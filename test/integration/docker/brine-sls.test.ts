// The docker and postgres modules through the whole pipeline and the built CLI (`brine sls`):
// a PostgreSQL role (password from pillar), database and extension, and an imported image with a
// container that gets the password in its environment. --test changes nothing and exits 2; the
// real run converges (exit 0); the next --test exits 0; the password never appears in any output;
// a misspelt argument is a compile error naming file, line and argument (exit 3), nothing changed.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, type Scratch, scratch } from '../cli/tree.js';
import { busyboxRootfs, ensureDockerd, freePort, httpGet, sh } from './dockerd.js';

const PASSWORD = 'e2e-Pillar-Secret-7b1d';
const ROLE = 'brine_h7_e2e';
const IMAGE = 'brine-h7-e2e:1';
const CTR = 'brine-h7-e2e-web';

function psql(q: string): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', 'psql', '-X', '-A', '-t', '-d', 'postgres', '-c', q], {
    encoding: 'utf8',
    cwd: '/',
  }).trim();
}

function cleanup(): void {
  sh(`docker rm -f ${CTR} 2>/dev/null; docker rmi -f ${IMAGE} 2>/dev/null; true`);
  psql(`DROP DATABASE IF EXISTS ${ROLE} WITH (FORCE)`);
  psql(`DROP ROLE IF EXISTS ${ROLE}`);
}

describe('brine sls with docker and postgres states', () => {
  let s: Scratch;
  let rootfs: string;
  let port: number;
  const run = (args: string[]) => brine(s, args, ['--states', s.states, '--pillar', s.pillar, '--env', s.env]);

  beforeAll(async () => {
    await build();
    await ensureDockerd();
    execFileSync('sh', ['-c', 'pg_lsclusters -h | grep -q online || pg_ctlcluster 15 main start']);
    cleanup();
    rootfs = busyboxRootfs();
    port = await freePort();
    const sls = `
h7-role:
  postgres_user.present:
    - name: ${ROLE}
    - password: {{ pillar['h7']['db_password'] }}
    - createdb: true

h7-db:
  postgres_database.present:
    - name: ${ROLE}
    - owner: ${ROLE}
    - encoding: UTF8
    - lc_collate: de_DE.utf8
    - lc_ctype: de_DE.utf8
    - require:
      - postgres_user: h7-role

h7-ext:
  postgres_extension.present:
    - name: pg_trgm
    - db: ${ROLE}
    - require:
      - postgres_database: h7-db

h7-image:
  docker_image.present:
    - name: ${IMAGE}
    - import: ${rootfs}
    - changes:
      - 'CMD ["sh"]'

h7-web:
  docker_container.running:
    - name: ${CTR}
    - image: ${IMAGE}
    - command: httpd -f -p 80 -h /www
    - ports:
      - 127.0.0.1:${port}:80
    - environment:
        DB_PASSWORD: {{ pillar['h7']['db_password'] }}
    - restart_policy: unless-stopped
    - watch:
      - docker_image: h7-image
`;
    s = scratch(
      {
        'h7.sls': sls,
        'gone.sls': `h7-gone:\n  docker_container.absent:\n    - name: ${CTR}\n`,
        'gone-forced.sls': `h7-gone:\n  docker_container.absent:\n    - name: ${CTR}\n    - force: True\n`,
        'bad.sls': 'h7-bad:\n  postgres_user.present:\n    - name: x\n    - passwd: nope\n',
      },
      {
        'top.sls': "base:\n  '*':\n    - h7\n",
        'h7.sls': `h7:\n  db_password: ${PASSWORD}\n`,
      },
    );
  }, 300_000);

  afterAll(() => {
    cleanup();
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(s.dir, { recursive: true, force: true });
  });

  it('--test predicts, the real run applies, the next --test is clean; the password is never printed', async () => {
    const dry = await run(['sls', 'h7', '--test', '--out', 'json']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(2);
    expect(dry.stdout + dry.stderr).not.toContain(PASSWORD);
    expect(psql(`SELECT count(*) FROM pg_roles WHERE rolname = '${ROLE}'`)).toBe('0');
    expect(sh(`docker images -q ${IMAGE}`).trim()).toBe('');

    const real = await run(['sls', 'h7', '--out', 'json']);
    expect(real.stdout + real.stderr).not.toContain(PASSWORD);
    expect(real.code, real.stdout + real.stderr).toBe(0);
    // The dry run predicted exactly the changes the real run made.
    type Res = { id: string; result: boolean | null; changes: unknown[] };
    const changesOf = (out: string) =>
      Object.fromEntries((JSON.parse(out).results as Res[]).map((r) => [r.id, r.changes]));
    expect(changesOf(real.stdout)).toEqual(changesOf(dry.stdout));
    expect((JSON.parse(real.stdout).results as Res[]).map((r) => [r.id, r.result, r.changes.length])).toEqual([
      ['h7-role', true, 1],
      ['h7-db', true, 1],
      ['h7-ext', true, 1],
      ['h7-image', true, 1],
      ['h7-web', true, 1],
    ]);
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toBe('hello from busybox\n');
    expect(sh(`docker exec ${CTR} sh -c 'echo $DB_PASSWORD'`).trim()).toBe(PASSWORD);
    expect(psql(`SELECT datcollate FROM pg_database WHERE datname = '${ROLE}'`)).toBe('de_DE.utf8');
    const login = execFileSync(
      'psql',
      ['-X', '-A', '-t', '-h', '127.0.0.1', '-U', ROLE, '-d', ROLE, '-c', "SELECT similarity('ab', 'ab')"],
      {
        env: { ...process.env, PGPASSWORD: PASSWORD },
        encoding: 'utf8',
      },
    );
    expect(login.trim()).toBe('1');

    const again = await run(['sls', 'h7', '--test']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).not.toContain(PASSWORD);
  });

  it('absent fails on the running container without force: True, --test too; with it removes it', async () => {
    type Res = { id: string; result: boolean | null; comment: string; changes: unknown[] };
    const only = (out: string) => (JSON.parse(out).results as Res[])[0];
    const running = () => sh(`docker inspect --format '{{.State.Running}}' ${CTR}`).trim();
    expect(running()).toBe('true');
    for (const test of [['--test'], []]) {
      const r = await run(['sls', 'gone', ...test, '--out', 'json']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const res = only(r.stdout);
      expect(res.result).toBe(false);
      expect(res.comment).toContain(`container ${CTR} is running; set force: True to remove it`);
      expect(res.changes).toEqual([]);
      expect(running()).toBe('true');
    }
    const dry = await run(['sls', 'gone-forced', '--test', '--out', 'json']);
    expect(dry.code, dry.stdout + dry.stderr).toBe(2);
    expect(running()).toBe('true');
    const real = await run(['sls', 'gone-forced', '--out', 'json']);
    expect(real.code, real.stdout + real.stderr).toBe(0);
    expect(only(real.stdout).changes).toEqual(only(dry.stdout).changes);
    expect(sh(`docker ps -aq --filter name=^${CTR}$`).trim()).toBe('');
  });

  it('a misspelt argument is a compile error with file, line and argument; nothing runs', async () => {
    const r = await run(['sls', 'bad']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.sls:4.*passwd/);
    expect(psql(`SELECT count(*) FROM pg_roles WHERE rolname = 'x'`)).toBe('0');
  });
});
