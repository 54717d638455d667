// The whole ECS appliance tree against a booted Debian 12 target (systemd-nspawn, H4's harness):
// bootstrap with one `brine push`, the services run under systemd, the database and role exist,
// a second push changes nothing, the brine the states installed runs the highstate ON the target
// (directly and through the boot chain's units), an env edit shows exactly the files and restarts
// it causes, standby does nothing, and a failing boot chain leaves /run/appliance-failed.
// The target shares this machine's network: the docker engine is off (pillar docker:enabled:
// false, see tree.ts); the compose project is proven separately (compose.test.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargets, type Target } from '../../harness/nspawn.js';
import { BRINE, makeTestTree, PG_PORT, REPO, secretsOf, type TestTree } from './tree.js';

let tree: TestTree;
let target: Target;
let secrets: string[];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function brine(args: string[], timeoutMs = 600_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BRINE, ...args],
      { cwd: REPO, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function push(extra: string[] = []): Promise<Run> {
  return brine([
    'push', `root@127.0.0.1:${target.port}`,
    '-i', target.keyPath, '--known-hosts', target.knownHostsPath,
    '--env', tree.env, '--states', tree.states, '--pillar', tree.pillar, ...extra,
  ]);
}

interface JsonResult {
  id: string;
  module: string;
  function: string;
  result: boolean | null;
  comment: string;
  changes: Array<{ op: string; target: string; diff?: string }>;
}

function hostReport(run: Run): { status: string; results: JsonResult[] } {
  let doc: { hosts: Array<{ status: string; error: string | null; report: { results: JsonResult[] } | null }> };
  try {
    doc = JSON.parse(run.stdout);
  } catch {
    throw new Error(`push --out json printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
  }
  const h = doc.hosts[0]!;
  if (!h.report) throw new Error(`push: host ${h.status}: ${h.error}`);
  return { status: h.status, results: h.report.results };
}

const failures = (rs: JsonResult[]) => rs.filter((r) => r.result === false).map((r) => `${r.id} (${r.module}.${r.function}): ${r.comment}`);
const changed = (rs: JsonResult[]) => rs.filter((r) => r.changes.length > 0 || r.result === null).map((r) => `${r.module}.${r.function} ${r.id}`);

async function sh(cmd: string, o?: { stdin?: string; timeoutMs?: number }) {
  const r = await target.ssh(cmd, o);
  return r;
}

function expectNoSecrets(text: string): void {
  for (const s of secrets) expect(text.includes(s), `a secret of the test env appears in the output: ${s.slice(0, 12)}...`).toBe(false);
}

beforeAll(async () => {
  tree = makeTestTree();
  secrets = secretsOf(readFileSync(tree.env, 'utf8'));
  expect(secrets.length).toBeGreaterThan(20);
  [target] = await startTargets(1);
}, 300_000);

afterAll(async () => {
  await target?.stop();
  tree?.cleanup();
}, 120_000);

describe('ECS appliance on a booted Debian 12 target', () => {
  it('one brine push bootstraps the whole appliance', async () => {
    const run = await push(['--out', 'json']);
    const rep = hostReport(run);
    expect(failures(rep.results)).toEqual([]);
    expect(run.code).toBe(0);
    expect(rep.results.length).toBeGreaterThan(100);
    expectNoSecrets(run.stdout + run.stderr);
  }, 900_000);

  it('nginx, postgresql, postfix, opendkim and stunnel run as systemd services', async () => {
    const r = await sh('systemctl is-active nginx postgresql@15-main postfix opendkim stunnel; systemctl is-enabled nginx postfix opendkim stunnel');
    expect(r.stdout.trim().split('\n')).toEqual(['active', 'active', 'active', 'active', 'active', 'enabled', 'enabled', 'enabled', 'enabled']);
    // they listen where the appliance expects them
    const ss = await sh('ss -Hltnp');
    expect(ss.stdout).toMatch(/:443\b.*nginx/);
    expect(ss.stdout).toMatch(/127\.0\.0\.1:25\b.*master/);
    expect(ss.stdout).toMatch(/127\.0\.0\.1:12345\b.*opendkim/);
    expect(ss.stdout).toMatch(/:465\b.*stunnel/);
    expect(ss.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${PG_PORT}\\b.*postgres`));
    // https answers with the self-signed certificate for the domain, http redirects
    const curl = await sh("curl -sk -o /dev/null -w '%{http_code}' https://localhost/; echo; curl -s -o /dev/null -w '%{http_code} %{redirect_url}' http://localhost/x");
    expect(curl.stdout.trim().split('\n')).toEqual(['502', '301 https://localhost/x']);
  }, 60_000);

  it('database ecs (de_DE.utf8, owner app) and role app exist', async () => {
    const q = (sql: string) => sh(`runuser -u postgres -- psql -p ${PG_PORT} -Atc "${sql}"`);
    expect((await q("select rolcanlogin from pg_roles where rolname='app'")).stdout.trim()).toBe('t');
    expect((await q("select pg_get_userbyid(datdba), datcollate, datctype from pg_database where datname='ecs'")).stdout.trim()).toBe('app|de_DE.utf8|de_DE.utf8');
    expect((await sh(`runuser -u postgres -- psql -p ${PG_PORT} -d ecs -Atc "select extname from pg_extension order by 1"`)).stdout).toContain('pgcrypto');
  }, 60_000);

  it('a second push reports zero changes, push --test nothing to change', async () => {
    const run = await push(['--out', 'json']);
    const rep = hostReport(run);
    expect(failures(rep.results)).toEqual([]);
    expect(changed(rep.results)).toEqual([]);
    expect(run.code).toBe(0);
    // and a dry run against the configured host has nothing to report
    const dry = await push(['--test']);
    expect(dry.stdout).toMatch(/changed=0/);
    expect(dry.code).toBe(0);
  }, 600_000);

  it('brine installed by the states runs the highstate on the target: nothing to change', async () => {
    // the env the appliance finds at boot; node is Debian's (18)
    const put = await sh('install -m 0600 /dev/stdin /app/env.yml', { stdin: readFileSync(tree.env, 'utf8') });
    expect(put.exitCode).toBe(0);
    expect((await sh('node --version')).stdout).toMatch(/^v18\./);
    const dry = await sh('NO_COLOR=1 brine highstate --test');
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toMatch(/Failed:\s+0/);
    expect(dry.exitCode).toBe(0);
    const real = await sh('NO_COLOR=1 brine highstate');
    expect(real.stdout).toMatch(/Failed:\s+0/);
    expect(real.stdout).toMatch(/changed=0|Succeeded: \d+\n/);
    expect(real.exitCode).toBe(0);
  }, 600_000);

  it('after editing the env (backup url, client_certs_mandatory) --test shows exactly those files and restarts, no secret', async () => {
    const edit = await sh(
      "sed -i -e 's|url: file:///volatile/ecs-backup-test/|url: sftp://backup@backup.example.org/ecs/|' " +
        "-e 's|client_certs_mandatory: false|client_certs_mandatory: true|' /app/env.yml && grep -c 'sftp://backup@\\|client_certs_mandatory: true' /app/env.yml",
    );
    expect(edit.stdout.trim()).toBe('2');
    expect((await sh('brine env activate')).exitCode).toBe(0);
    const dry = await sh('NO_COLOR=1 brine highstate --test');
    expect(dry.exitCode).toBe(2);
    const json = await sh('brine highstate --test --out json');
    const results = (JSON.parse(json.stdout) as { results: JsonResult[] }).results;
    expect(changed(results).sort()).toEqual(['file.managed /etc/appliance/backup.conf', 'file.managed /etc/nginx/nginx.conf', 'service.running nginx']);
    // the diffs, as a reviewer reads them
    expect(dry.stdout).toContain('-BACKUP_URL="file:///volatile/ecs-backup-test/"');
    expect(dry.stdout).toContain('+BACKUP_URL="sftp://backup@backup.example.org/ecs/"');
    expect(dry.stdout).toContain('-    ssl_verify_client optional;');
    expect(dry.stdout).toContain('+    ssl_verify_client on;');
    expect(dry.stdout).toMatch(/would restart \(watched .*nginx\.conf.* would change\)/);
    expectNoSecrets(dry.stdout + dry.stderr + json.stdout);
    // nothing changed on the host
    expect((await sh('grep -c sftp /etc/appliance/backup.conf')).stdout.trim()).toBe('0');
    await sh('install -m 0600 /dev/stdin /app/env.yml && brine env activate', { stdin: readFileSync(tree.env, 'utf8') });
  }, 300_000);

  it('the boot chain: prepare-env activates the env, prepare-appliance runs brine highstate', async () => {
    const r = await sh('systemctl start prepare-appliance.service; echo rc=$?; systemctl is-active prepare-env prepare-appliance; stat -c %a /run/active-env.yml');
    expect(r.stdout.trim().split('\n')).toEqual(['rc=0', 'active', 'active', '600']);
    const log = await sh('journalctl -u prepare-appliance --no-pager -o cat');
    expect(log.stdout).toMatch(/Failed:\s+0/);
    expectNoSecrets(log.stdout);
  }, 600_000);

  it('update: appliance:update:automatic and :oncalendar drive the appliance-update timer', async () => {
    expect((await sh('systemctl is-enabled appliance-update.timer; systemctl is-active appliance-update.timer')).stdout.trim().split('\n')).toEqual(['disabled', 'inactive']);
    await sh(`sed -i -e 's|automatic: false|automatic: true|' -e 's|oncalendar: "\\*-\\*-\\* 06:30:00"|oncalendar: "*-*-* 05:15:00"|' /app/env.yml && brine env activate`);
    const run = await sh('NO_COLOR=1 brine highstate');
    expect(run.stdout).toMatch(/Failed:\s+0/);
    expect(run.exitCode).toBe(0);
    const t = await sh('systemctl is-enabled appliance-update.timer; systemctl is-active appliance-update.timer; systemctl show -p TimersCalendar --value appliance-update.timer');
    const [enabled, active, calendar] = t.stdout.trim().split('\n');
    expect([enabled, active]).toEqual(['enabled', 'active']);
    expect(calendar).toContain('05:15:00');
  }, 300_000);

  it('backup: refuses an empty storage vault, then an encrypted duplicity backup that recover-from-backup restores', async () => {
    const refused = await sh('/usr/local/sbin/appliance-backup.sh');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('backup refused: /data/ecs-storage-vault is empty');
    const q = (sql: string) => `runuser -u postgres -- psql -p ${PG_PORT} -d ecs -Atc "${sql}"`;
    const seed = await sh(`cd / && echo 'vault document 1' > /data/ecs-storage-vault/doc1 && ${q('create table backup_probe(x int); insert into backup_probe values (42)')}`);
    expect(seed.exitCode).toBe(0);
    const backup = await sh('/usr/local/sbin/appliance-backup.sh');
    expect(backup.exitCode, backup.stderr).toBe(0);
    const files = await sh('ls /volatile/ecs-backup-test/; grep -rl "vault document" /volatile/ecs-backup-test/ || true');
    expect(files.stdout).toMatch(/duplicity-full\.\S+\.vol1\.difftar\.gpg/);
    expect(files.stdout).not.toContain('/volatile/ecs-backup-test/'); // nothing readable without the key
    expectNoSecrets(backup.stdout + backup.stderr);
    // lose the data, recover it
    await sh(`cd / && rm /data/ecs-storage-vault/doc1 && runuser -u postgres -- dropdb -p ${PG_PORT} ecs`);
    const recover = await sh('/usr/local/sbin/recover-from-backup.sh --yes');
    expect(recover.exitCode, recover.stderr).toBe(0);
    expect((await sh('cat /data/ecs-storage-vault/doc1')).stdout.trim()).toBe('vault document 1');
    expect((await sh(`cd / && ${q('select x from backup_probe')}`)).stdout.trim()).toBe('42');
  }, 300_000);

  it('standby: the highstate does nothing', async () => {
    await sh("sed -i 's|^  standby: false|  standby: true|' /app/env.yml && brine env activate");
    const dry = await sh('brine highstate --test --out json');
    expect(dry.exitCode).toBe(0);
    const results = (JSON.parse(dry.stdout) as { results: Array<{ id: string; changes: unknown[] }> }).results;
    expect(results.map((r) => r.id)).toEqual(['appliance-standby']);
    expect(results[0]!.changes).toEqual([]);
  }, 120_000);

  it('a failing boot chain leaves /run/appliance-failed and does not loop', async () => {
    // an env the schema refuses: prepare-env fails, appliance-failed@ marks the appliance failed
    await sh("sed -i 's|^  standby: true|  standby: false|; s|^  domain: localhost|  domain: \"not a domain\"|' /app/env.yml");
    const r = await sh('systemctl stop prepare-appliance prepare-env; rm -f /run/active-env.yml; systemctl start prepare-appliance.service; echo rc=$?');
    expect(r.stdout).toContain('rc=1');
    let failed = '';
    for (let i = 0; i < 40 && failed !== 'yes'; i++) {
      failed = (await sh('test -e /run/appliance-failed && echo yes || echo no')).stdout.trim();
      if (failed !== 'yes') await new Promise((res) => setTimeout(res, 250));
    }
    expect(failed).toBe('yes');
    // the chain refuses to start again until an operator clears the mark
    const again = await sh('systemctl start prepare-env.service; systemctl show -p ConditionResult --value prepare-env.service');
    expect(again.stdout.trim()).toBe('no');
  }, 300_000);
});
