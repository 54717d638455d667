// The whole ECS appliance, containers included, on a booted Debian 12 target in which dockerd runs
// (test/harness/docker-target.ts: systemd-nspawn with its own network namespace). One `brine push`
// bootstraps it with docker enabled; the ECS is a stand-in source (test/fixtures/ecs-standin) in a
// git repository on the target, checked out, built, migrated and bootstrapped by the appliance
// itself. Then the boot chain starts the compose project and the web container answers through
// nginx over https; the manual's first user and client certificate (mailed), a reboot, an ECS
// update (dump before migrate, rebuild only on a new commit, restart only on change), a failed
// build that keeps the old image, backup -> wipe -> recover, standby, and a failing boot chain.
// Each case brings what it needs through once-only steps (pushed, ecsUp, officeUser, updated) and
// puts back what it changes in the env, so a case does not rely on the ones declared before it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerTarget } from '../../harness/docker-target.js';
import { applianceHelpers, changed, failures, hostReport, type JsonResult, q } from './helpers.js';
import { ECS_REPO, makeTestTree, PG_PORT, STANDIN_BASE, secretsOf } from './tree.js';

const h = applianceHelpers();
const { push, sh, ok, expectNoSecrets, status, waitForEcs, commitStandin } = h;

/** A step that runs once; every case that needs it awaits the same promise. */
function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

/** The first push (docker enabled): the whole appliance. */
const pushed = once(() => push(['--out', 'json']));

/** The boot chain has built the stand-in ECS and the containers run (after the first push). */
const ecsUp = once(async () => {
  await pushed();
  // the stand-in's base image, imported from the target's own files (no registry)
  await ok('sh -s', { stdin: readFileSync(STANDIN_BASE, 'utf8'), timeoutMs: 300_000 });
  await ok('systemctl start --no-block appliance.service');
  return waitForEcs('standin-1');
});

/** The manual's first user, office@localhost (create-internal-user.sh output). */
const officeUser = once(async () => {
  await ecsUp();
  await ok('id office >/dev/null 2>&1 || useradd -m office');
  return ok("create-internal-user.sh office@localhost 'Ada' 'Office' f");
});

/** A new stand-in commit (VERSION standin-2, a migration), applied by appliance-update.sh. */
const updated = once(async () => {
  await officeUser();
  await commitStandin(
    `echo standin-2 > VERSION; printf 'CREATE TABLE core_update_probe (id serial PRIMARY KEY);\\n' > ` +
      `ecs/migrations/0002_update_probe.sql`,
    'ECS stand-in 2: a migration',
  );
  return sh('/usr/local/sbin/appliance-update.sh', { timeoutMs: 1_200_000 });
});

/** Puts the test env back in place and activates it (a case that edited /app/env.yml). */
async function restoreEnv(): Promise<void> {
  await ok('install -m 0600 /dev/stdin /app/env.yml && brine env activate', {
    stdin: readFileSync(h.ctx.tree!.env, 'utf8'),
  });
}

beforeAll(async () => {
  h.ctx.tree = makeTestTree();
  h.ctx.secrets = secretsOf(readFileSync(h.ctx.tree.env, 'utf8'));
  expect(h.ctx.secrets.length).toBeGreaterThan(20);
  h.ctx.target = await startDockerTarget();
  await h.stageStandin();
}, 600_000);

afterAll(async () => {
  await h.ctx.target?.stop();
  h.ctx.tree?.cleanup();
}, 120_000);

describe('ECS appliance with its containers on a booted Debian 12 target with dockerd', () => {
  it('one brine push (docker enabled) bootstraps the whole appliance', async () => {
    const run = await pushed();
    const rep = hostReport(run);
    expect(failures(rep.results)).toEqual([]);
    expect(run.code).toBe(0);
    expect(rep.results.length).toBeGreaterThan(100);
    expectNoSecrets(run.stdout + run.stderr);
    // the ECS source is checked out where the manual says, at the repository's head
    const head = await ok(`git -C /app/ecs rev-parse HEAD; git -C ${ECS_REPO} rev-parse main`);
    const [a, b] = head.trim().split('\n');
    expect(a).toBe(b);
    const src = rep.results.find((r) => r.id === 'ecs_source')!;
    expect(src.module).toBe('git');
    expect(src.changes.length).toBeGreaterThan(0);
  }, 1_200_000);

  it('nginx, postgresql, postfix, opendkim, stunnel and docker run as systemd services', async () => {
    await pushed();
    const r = await sh(
      'systemctl is-active nginx postgresql@15-main postfix opendkim stunnel docker; systemctl is-enabled nginx ' +
        'postfix opendkim stunnel docker appliance',
    );
    expect(r.stdout.trim().split('\n')).toEqual([...Array(6).fill('active'), ...Array(6).fill('enabled')]);
    const ss = await sh('ss -Hltnp');
    expect(ss.stdout).toMatch(/:443\b.*nginx/);
    expect(ss.stdout).toMatch(/127\.0\.0\.1:25\b.*master/);
    expect(ss.stdout).toMatch(/172\.17\.0\.1:25\b.*master/);
    expect(ss.stdout).toMatch(/127\.0\.0\.1:12345\b.*opendkim/);
    expect(ss.stdout).toMatch(/:465\b.*stunnel/);
    expect(ss.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${PG_PORT}\\b.*postgres`));
    expect(ss.stdout).toMatch(new RegExp(`172\\.17\\.0\\.1:${PG_PORT}\\b.*postgres`));
    // https shows the maintenance page until the boot chain has started the application; http redirects
    const app = (await sh('systemctl is-active appliance.service')).stdout.trim();
    const curl = await sh(
      "curl -sk -o /dev/null -w '%{http_code}' https://localhost/; echo; curl -s -o /dev/null -w '%{http_code} " +
        "%{redirect_url}' http://localhost/x",
    );
    expect(curl.stdout.trim().split('\n')).toEqual([app === 'active' ? '200' : '502', '301 https://localhost/x']);
  }, 60_000);

  it('database ecs (de_DE.utf8, owner app) and role app exist', async () => {
    await pushed();
    const p = (sql: string) => sh(`cd / && runuser -u postgres -- psql -p ${PG_PORT} -Atc "${sql}"`);
    expect((await p("select rolcanlogin from pg_roles where rolname='app'")).stdout.trim()).toBe('t');
    expect(
      (
        await p("select pg_get_userbyid(datdba), datcollate, datctype from pg_database where datname='ecs'")
      ).stdout.trim(),
    ).toBe('app|de_DE.utf8|de_DE.utf8');
    expect((await sh(q('select extname from pg_extension order by 1'))).stdout).toContain('pgcrypto');
  }, 60_000);

  it('the storage vault keys of the env are the keyring in /data/ecs-gpg (0700, uid 1000)', async () => {
    await pushed();
    expect((await ok('stat -c "%a %u" /data/ecs-gpg')).trim()).toBe('700 1000');
    const keys = await ok(
      'gpg --homedir /data/ecs-gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: \'$1=="uid" {print ' +
        "$10}' | sort",
    );
    expect(keys.trim().split('\n')).toEqual([
      'ecs_authority TEST ONLY <ecs_authority@localhost>',
      'ecs_mediaserver TEST ONLY <ecs_mediaserver@localhost>',
    ]);
    expect((await ok('ls /data/ecs-gpg/private-keys-v1.d | wc -l')).trim()).toBe('2');
    const check =
      '/usr/local/share/appliance/sync-keyring.sh --check --home /data/ecs-gpg --owner 1000:1000 ' +
      '/app/etc/ecs/vault/vault_encrypt.asc=ecs:vault_encrypt /app/etc/ecs/vault/vault_sign.asc=ecs:vault_sign';
    expect((await ok(`${check}; echo rc=$?`)).trim()).toBe('rc=0');
  }, 60_000);

  it('a second push reports zero changes, push --test nothing to change', async () => {
    await pushed();
    const run = await push(['--out', 'json']);
    const rep = hostReport(run);
    expect(failures(rep.results)).toEqual([]);
    expect(changed(rep.results)).toEqual([]);
    expect(run.code).toBe(0);
    const dry = await push(['--test']);
    expect(dry.stdout).toMatch(/changed=0/);
    expect(dry.code).toBe(0);
  }, 600_000);

  it('after editing the env (backup url, client_certs_mandatory) --test shows exactly those files and restarts, no ' +
    'secret', async () => {
    await pushed();
    await restoreEnv();
    const edit = await sh(
      "sed -i -e 's|url: file:///volatile/ecs-backup-test/|url: sftp://backup@backup.example.org/ecs/|' " +
        "-e 's|client_certs_mandatory: false|client_certs_mandatory: true|' /app/env.yml && grep -c " +
        "'sftp://backup@\\|client_certs_mandatory: true' /app/env.yml",
    );
    expect(edit.stdout.trim()).toBe('2');
    const dry = await sh('NO_COLOR=1 brine highstate --test --env /app/env.yml');
    expect(dry.exitCode).toBe(2);
    const json = await sh('brine highstate --test --env /app/env.yml --out json');
    const results = (JSON.parse(json.stdout) as { results: JsonResult[] }).results;
    expect(changed(results).sort()).toEqual([
      'file.managed /etc/appliance/backup.conf',
      'file.managed /etc/nginx/nginx.conf',
      'service.running nginx',
    ]);
    // backup.conf (its URL may hold a password) changes by hash only: its content is never shown
    expect(dry.stdout).toMatch(/update \/etc\/appliance\/backup\.conf: [0-9a-f]{64} -> [0-9a-f]{64}/);
    expect(dry.stdout).not.toContain('BACKUP_URL=');
    expect(dry.stdout).toContain('+    ssl_verify_client on;');
    expectNoSecrets(dry.stdout + dry.stderr + json.stdout);
    expect((await sh('grep -c sftp /etc/appliance/backup.conf')).stdout.trim()).toBe('0');
    await restoreEnv();
  }, 300_000);

  it('the boot chain builds the ECS from its checkout, creates the database and starts the containers; https ' +
    'answers', async () => {
    const s = await ecsUp();
    expect(s).toMatchObject({
      ecs: 'stand-in',
      migrations: ['0001_initial'],
      internal_users: [],
      forwarded_proto: 'https',
    });
    expect(s.users).toBe(1); // bootstrap's root user
    const ps = await ok("docker ps --format '{{.Names}} {{.Image}}' | sort");
    expect(ps.trim().split('\n')).toEqual([
      'ecs_ecs.beat_1 ecs/ecs:latest',
      'ecs_ecs.smtpd_1 ecs/ecs:latest',
      'ecs_ecs.web_1 ecs/ecs:latest',
      'ecs_ecs.worker_1 ecs/ecs:latest',
    ]);
    // the image is the checkout's build; the tags say which commit
    const head = (await ok('git -C /app/ecs rev-parse HEAD')).trim();
    expect((await ok('cat /app/etc/tags/last_build_ecs')).trim()).toBe(head);
    expect((await ok('journalctl -u prepare-ecs -o cat --no-pager')).toString()).toMatch(
      /Applying ecs\.0001_initial\.\.\. OK/,
    );
    // the ECS took over the client CA (bootstrap wrote its certificate, nginx verifies with it)
    expect(await ok('openssl x509 -noout -subject -in /data/ecs-ca/ca.cert.pem')).toContain('ECS Client CA');
    expect(await ok('journalctl -u prepare-appliance -o cat --no-pager')).toMatch(/Failed:\s+0/);
    expectNoSecrets(
      await ok('journalctl -u prepare-env -u prepare-appliance -u prepare-ecs -u appliance -o cat --no-pager'),
    );
  }, 900_000);

  it('first user (manual 3.3): create-internal-user, then create-client-certificate mails the ' +
    'certificate', async () => {
    const user = await officeUser();
    expect(user).toMatch(/created\/updated user office@localhost with passphrase [a-z0-9]{16}\b/);
    expect(
      (
        await ok(
          q(
            'select u.first_name, u.last_name, p.is_internal, p.gender, g.name from auth_user u join ' +
              'users_userprofile p on p.user_id = u.id join auth_user_groups ug on ug.user_id = u.id join ' +
              "auth_group g on g.id = ug.group_id where u.email = 'office@localhost'",
          ),
        )
      ).trim(),
    ).toBe('Ada|Office|t|f|EC-Office');
    expect(
      (await ok(q("select password like 'pbkdf2_sha256$%' from auth_user where email = 'office@localhost'"))).trim(),
    ).toBe('t');
    // bad input: usage, exit 3
    expect((await sh("create-internal-user.sh office@localhost 'Ada' 'Office' x")).exitCode).toBe(3);
    expect((await sh('create-client-certificate.sh nobody@localhost cert1')).exitCode).not.toBe(0);

    const cert = await ok('create-client-certificate.sh office@localhost ada-office 7');
    const certPass =
      /Created and sent certificate ada-office for office@localhost using passphrase ([a-z0-9]{16})\b/.exec(cert)?.[1];
    expect(certPass, cert).toMatch(/^[a-z0-9]{16}$/);
    // the mail reached the user's mailbox (postfix delivers to ~/Maildir); its attachment opens with the passphrase
    let mail = '';
    for (let i = 0; i < 40 && !mail.includes('ada-office.p12'); i++) {
      mail = (await sh('cat /home/office/Maildir/new/* 2>/dev/null')).stdout;
      if (!mail.includes('ada-office.p12')) await new Promise((res) => setTimeout(res, 500));
    }
    expect(mail).toContain('Subject: Certificate ada-office');
    const subject = await ok(
      `python3 - <<'EOF' | openssl pkcs12 -nokeys -clcerts -passin pass:${certPass} | openssl x509 -noout ` +
        `-subject -nameopt compat
import email, glob, sys
for f in glob.glob('/home/office/Maildir/new/*'):
    for part in email.message_from_binary_file(open(f, 'rb')).walk():
        if part.get_filename() == 'ada-office.p12':
            sys.stdout.buffer.write(part.get_payload(decode=True))
EOF`,
    );
    expect(subject).toContain('CN=ada-office');
    expect(subject).toContain('emailAddress=office@localhost');
    // issued by the ECS's CA, recorded by the ECS
    expect((await ok(q('select cn from pki_certificate'))).trim()).toBe('ada-office');
  }, 300_000);

  it('a reboot brings everything back; then a highstate changes nothing', async () => {
    await officeUser();
    const version = (await waitForEcs()).version;
    const webBefore = (await ok("docker inspect -f '{{.State.StartedAt}}' ecs_ecs.web_1")).trim();
    await h.ctx.target!.reboot();
    const s = await waitForEcs(version);
    expect(s.internal_users).toEqual(['office@localhost']);
    expect((await ok("docker inspect -f '{{.State.StartedAt}}' ecs_ecs.web_1")).trim()).not.toBe(webBefore);
    // no rebuild after a reboot without a new commit
    expect(await ok('journalctl -b -u prepare-ecs -o cat --no-pager')).toMatch(/is built already, skipping the build/);
    const run = await sh('brine highstate --env /run/active-env.yml --out json');
    const results = (JSON.parse(run.stdout) as { results: JsonResult[] }).results;
    expect(failures(results)).toEqual([]);
    expect(changed(results)).toEqual([]);
    expect(run.exitCode).toBe(0);
  }, 900_000);

  it('update (manual 4.5): a new ECS commit is rebuilt; the database is dumped before migrating; no change, no ' +
    'restart', async () => {
    const up = await updated();
    expect(up.exitCode, up.stdout.slice(-3000) + up.stderr.slice(-3000)).toBe(0);
    expect(up.stdout).toMatch(/new ECS source/);
    expect(up.stdout).toMatch(/restarting the appliance/);
    const s = await waitForEcs('standin-2');
    expect(s.migrations).toEqual(['0001_initial', '0002_update_probe']);
    expect(s.internal_users).toEqual(['office@localhost']);
    // the dump was taken before the migration: it has the users, not the new table
    const listing = await ok('pg_restore -l /data/ecs-pgdump/ecs-migrate.pgdump');
    expect(listing).toMatch(/TABLE public auth_user /);
    expect(listing).not.toMatch(/core_update_probe/);
    // nothing new: no rebuild, no restart
    const webBefore = (await ok("docker inspect -f '{{.State.StartedAt}}' ecs_ecs.web_1")).trim();
    const again = await sh('/usr/local/sbin/appliance-update.sh', { timeoutMs: 1_200_000 });
    expect(again.exitCode, again.stderr.slice(-3000)).toBe(0);
    expect(again.stdout).toMatch(/nothing changed, the appliance keeps running/);
    expect((await ok("docker inspect -f '{{.State.StartedAt}}' ecs_ecs.web_1")).trim()).toBe(webBefore);
    // Debian 12: reboot-notifier is what writes /run/reboot-required
    expect((await ok("dpkg-query -W -f '${Status}\\n' reboot-notifier unattended-upgrades")).trim()).toBe(
      'install ok installed\ninstall ok installed',
    );
    expect(await ok('cat /etc/apt/apt.conf.d/50unattended-upgrades')).toContain('label=Debian-Security');
  }, 1_800_000);

  it('a failed ECS build keeps the previous image running and says so', async () => {
    await updated();
    await waitForEcs('standin-2');
    await commitStandin(
      "sed -i 's|^WORKDIR /app/ecs|RUN false\\nWORKDIR /app/ecs|' Dockerfile",
      'ECS stand-in 3: a broken build',
    );
    await ok('brine highstate --env /run/active-env.yml >/dev/null', { timeoutMs: 600_000 });
    const before = (await ok("docker image inspect -f '{{.Id}}' ecs/ecs:latest")).trim();
    await ok('systemctl restart --no-block appliance.service');
    const s = await waitForEcs('standin-2');
    expect(s.migrations).toEqual(['0001_initial', '0002_update_probe']);
    expect((await ok("docker image inspect -f '{{.Id}}' ecs/ecs:latest")).trim()).toBe(before);
    expect(await ok('journalctl -u prepare-ecs -o cat --no-pager -n 200')).toMatch(
      /ECS build \S+ failed, restarting the old image/,
    );
    expect((await ok('cat /app/etc/tags/last_failed_build_ecs')).trim()).toBe(
      (await ok('git -C /app/ecs rev-parse HEAD')).trim(),
    );
    // repair the source: the next start builds it
    await commitStandin('git revert --no-commit HEAD', 'ECS stand-in 4: build repaired');
    await ok('brine highstate --env /run/active-env.yml >/dev/null', { timeoutMs: 600_000 });
    await ok('systemctl restart --no-block appliance.service');
    await waitForEcs('standin-2');
    expect((await ok('cat /app/etc/tags/last_build_ecs')).trim()).toBe(
      (await ok('git -C /app/ecs rev-parse HEAD')).trim(),
    );
  }, 1_200_000);

  it('update: appliance:update:automatic and :oncalendar drive the appliance-update timer', async () => {
    await pushed();
    await restoreEnv();
    expect(
      (await sh('systemctl is-enabled appliance-update.timer; systemctl is-active appliance-update.timer')).stdout
        .trim()
        .split('\n'),
    ).toEqual(['disabled', 'inactive']);
    await ok(
      `sed -i -e 's|automatic: false|automatic: true|' -e 's|oncalendar: "\\*-\\*-\\* 06:30:00"|oncalendar: "*-*-* ` +
        `05:15:00"|' /app/env.yml && brine env activate`,
    );
    const run = await sh('NO_COLOR=1 brine highstate --env /run/active-env.yml');
    expect(run.stdout).toMatch(/Failed:\s+0/);
    expect(run.exitCode).toBe(0);
    const t = await sh(
      'systemctl is-enabled appliance-update.timer; systemctl is-active appliance-update.timer; systemctl show -p ' +
        'TimersCalendar --value appliance-update.timer',
    );
    const [enabled, active, calendar] = t.stdout.trim().split('\n');
    expect([enabled, active]).toEqual(['enabled', 'active']);
    expect(calendar).toContain('05:15:00');
    // the test env again, applied: the timer off for the cases after this one
    await restoreEnv();
    await ok('brine highstate --env /run/active-env.yml >/dev/null', { timeoutMs: 600_000 });
    expect((await sh('systemctl is-enabled appliance-update.timer')).stdout.trim()).toBe('disabled');
  }, 600_000);

  it('backup, wipe, a fresh start, recover-from-backup --yes-i-am-sure: the same rows and files back', async () => {
    await officeUser();
    const { version } = await waitForEcs();
    const refused = await sh('/usr/local/sbin/appliance-backup.sh');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('backup refused: /data/ecs-storage-vault is empty');
    await ok(
      "printf 'vault document 1\\n' > /data/ecs-storage-vault/doc1 && chown 1000:1000 /data/ecs-storage-vault/doc1",
    );
    const before = await status();
    expect(before?.vault_files).toEqual(['doc1']);
    const rows = () =>
      ok(
        q("select string_agg(email || ':' || first_name, ',' order by email) from auth_user") +
          ' && ' +
          q('select count(*) from pki_certificate'),
      );
    const rowsBefore = await rows();
    const backup = await sh('/usr/local/sbin/appliance-backup.sh', { timeoutMs: 600_000 });
    expect(backup.exitCode, backup.stderr).toBe(0);
    const files = await sh(
      'ls /volatile/ecs-backup-test/; grep -rl "vault document" /volatile/ecs-backup-test/ || true',
    );
    expect(files.stdout).toMatch(/duplicity-full\.\S+\.vol1\.difftar\.gpg/);
    expect(files.stdout).not.toContain('/volatile/ecs-backup-test/');
    expectNoSecrets(backup.stdout + backup.stderr);

    // wipe: the data is lost; the boot chain makes a fresh appliance (new database, bootstrap)
    await ok(
      `systemctl stop appliance.service prepare-ecs.service; rm -rf /data/ecs-storage-vault/* ` +
        `/data/ecs-pgdump/*; rm -f /app/etc/tags/last_migration_ecs
      cd / && runuser -u postgres -- dropdb -p ${PG_PORT} ecs`,
    );
    await ok('systemctl restart --no-block appliance.service');
    const fresh = await waitForEcs(version);
    expect(fresh).toMatchObject({ users: 1, internal_users: [], vault_files: [] });

    // the manual's flag; anything else is a usage error that changes nothing
    expect((await sh('/usr/local/sbin/recover-from-backup.sh --yes')).exitCode).toBe(3);
    const recover = await sh('/usr/local/sbin/recover-from-backup.sh --yes-i-am-sure', { timeoutMs: 900_000 });
    expect(recover.exitCode, recover.stdout.slice(-3000) + recover.stderr.slice(-3000)).toBe(0);
    expect(recover.stdout).toMatch(/the existing database ecs is kept as ecs_replaced_\d+/);
    const after = await waitForEcs(version);
    expect(after).toMatchObject({
      users: before!.users,
      internal_users: ['office@localhost'],
      vault_files: ['doc1'],
      migrations: before!.migrations,
    });
    expect(await rows()).toBe(rowsBefore);
    expect((await ok('cat /data/ecs-storage-vault/doc1')).trim()).toBe('vault document 1');
  }, 1_800_000);

  it('standby: no container runs, nginx shows the standby page, the highstate does nothing, metric 1', async () => {
    await ecsUp();
    await restoreEnv();
    await ok("sed -i 's|^  standby: false|  standby: true|' /app/env.yml && brine env activate");
    // the node exporter's textfile directory (as with appliance:metric:exporter): standby is noted there
    const textfiles = '/var/lib/prometheus/node-exporter';
    const madeTextfiles = (await sh(`test -d ${textfiles}`)).exitCode !== 0;
    await ok(`mkdir -p ${textfiles}`);
    // the units that start containers are skipped (ExecCondition), not failed
    await sh('systemctl restart appliance.service', { timeoutMs: 600_000 });
    expect(await ok(`cat ${textfiles}/appliance_standby.prom`)).toMatch(/^appliance_standby 1$/m);
    expect((await ok('docker ps -q | wc -l')).trim()).toBe('0');
    expect(await ok('journalctl -u prepare-ecs -u appliance -o cat --no-pager -n 20')).toMatch(
      /Skipped due to 'exec-condition'/,
    );
    const page = await sh('curl -sk https://localhost/');
    expect(page.stdout).toContain('Appliance Standby');
    expect((await sh('test -e /run/appliance-failed && echo failed || echo ok')).stdout.trim()).toBe('ok');
    const dry = await sh('brine highstate --test --env /run/active-env.yml --out json');
    expect(dry.exitCode).toBe(0);
    const results = (JSON.parse(dry.stdout) as { results: Array<{ id: string; changes: unknown[] }> }).results;
    expect(results.map((r) => r.id)).toEqual(['appliance-standby']);
    expect(results[0]!.changes).toEqual([]);
    // out of standby for the cases after this one
    await restoreEnv();
    await sh('systemctl restart appliance.service', { timeoutMs: 600_000 });
    await waitForEcs();
    expect(await ok(`cat ${textfiles}/appliance_standby.prom`)).toMatch(/^appliance_standby 0$/m);
    if (madeTextfiles) await ok(`rm -rf ${textfiles}`);
  }, 1_200_000);

  it('a failing boot chain leaves /run/appliance-failed and does not loop', async () => {
    await pushed();
    await restoreEnv();
    const edit = await ok(
      `sed -i 's|^  domain: localhost|  domain: "not a domain"|' /app/env.yml && grep -c '^  domain: "not a ` +
        `domain"' /app/env.yml`,
    );
    expect(edit.trim()).toBe('1');
    const r = await sh(
      'systemctl stop prepare-appliance prepare-env; rm -f /run/active-env.yml; systemctl start ' +
        'prepare-appliance.service; echo rc=$?',
    );
    expect(r.stdout).toContain('rc=1');
    let failed = '';
    for (let i = 0; i < 40 && failed !== 'yes'; i++) {
      failed = (await sh('test -e /run/appliance-failed && echo yes || echo no')).stdout.trim();
      if (failed !== 'yes') await new Promise((res) => setTimeout(res, 250));
    }
    expect(failed).toBe('yes');
    const again = await sh(
      'systemctl start prepare-env.service; systemctl show -p ConditionResult --value prepare-env.service',
    );
    expect(again.stdout.trim()).toBe('no');
    // the good env back; the failure mark goes with the next successful start
    await restoreEnv();
    await sh('rm -f /run/appliance-failed');
  }, 300_000);
});
