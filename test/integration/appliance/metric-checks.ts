// Checks of the appliance's metrics and alerts (states/metric) on a running target where
// appliance:metric:exporter and :server are on: used by metrics.test.ts, and meant for the hardened
// push test too (call `await checkMetrics(target)` after its push).
import { expect } from 'vitest';
import type { Target } from '../../harness/nspawn.js';

/** The scrape jobs of a target whose compose project runs no redis/memcached (the test pillar). */
export const JOBS = ['alertmanager', 'nginx', 'node', 'postgres', 'prometheus'];
/** Every alert rule states/metric/files/appliance.rules.yml must load. */
export const RULES = [
  'BackupFailed',
  'BackupMissed',
  'CertificateExpiresSoon',
  'DiskFull',
  'DiskSpaceLow',
  'ExporterDown',
  'ServiceDown',
  'ServiceFailed',
  'UpdateFailed',
  'UpdateMissed',
];
/** Where each metric daemon listens (all on 127.0.0.1); alertmanager's cluster port 9094 must not. */
export const PORTS = [9090, 9093, 9100, 9113, 9187];

async function sh(t: Target, cmd: string): Promise<string> {
  const r = await t.ssh(cmd);
  if (r.exitCode !== 0) {
    throw new Error(`on the target: ${cmd}\nexit ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return r.stdout;
}

/** Polls cmd until check(stdout) holds; throws with the last output after timeoutMs. */
export async function waitFor(
  t: Target,
  cmd: string,
  check: (out: string) => boolean,
  timeoutMs: number,
  what: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await t.ssh(cmd);
    last = `${r.stdout}${r.stderr}`;
    if (r.exitCode === 0 && check(r.stdout)) return r.stdout;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last output:\n${last.slice(-3000)}`);
    }
    await new Promise((res) => setTimeout(res, 2000));
  }
}

/** Listening TCP sockets of the metric daemons: `addr:port process` per line. */
export async function metricSockets(t: Target): Promise<Array<{ addr: string; port: number; proc: string }>> {
  const out = await sh(t, 'ss -ltnpH');
  return out.split('\n').flatMap((line) => {
    const f = line.trim().split(/\s+/);
    const local = f[3];
    const proc = /users:\(\("([^"]+)"/.exec(line)?.[1];
    if (!local || !proc || !/prometheus|alertmanager/.test(proc)) return [];
    const i = local.lastIndexOf(':');
    return [{ addr: local.slice(0, i), port: Number(local.slice(i + 1)), proc }];
  });
}

/**
 * Makes `unit` fail once (a runtime drop-in: its conditions reset, an ExecStartPre that fails), so its
 * ExecStopPost reports a failure.
 */
export async function failOnce(t: Target, unit: string): Promise<void> {
  const dir = `/run/systemd/system/${unit}.d`;
  const dropIn =
    '[Unit]\\nConditionFileNotEmpty=\\n' + '[Service]\\nExecStartPre=/bin/sh -c "echo test: forced failure; exit 1"\\n';
  await sh(t, `mkdir -p ${dir} && printf '${dropIn}' > ${dir}/zz-test-fail.conf && systemctl daemon-reload`);
  const r = await t.ssh(`systemctl start ${unit}`);
  await sh(t, `rm -f ${dir}/zz-test-fail.conf && systemctl daemon-reload && systemctl reset-failed ${unit}`);
  if (r.exitCode === 0) throw new Error(`${unit} did not fail with the forced failure`);
}

/** The names of the alerts alertmanager holds (active). */
export async function alertNames(t: Target): Promise<string[]> {
  type Alerts = Array<{ labels: { alertname: string } }>;
  const alerts = JSON.parse(await sh(t, 'curl -sf http://127.0.0.1:9093/api/v2/alerts')) as Alerts;
  return alerts.map((a) => a.labels.alertname);
}

/**
 * On a target with metrics on: the daemons listen on 127.0.0.1 only; prometheus scrapes `jobs`, all
 * up; the rules are loaded; the postgres exporter reads the database; a failed backup (forced once)
 * writes its textfile metric, fires BackupFailed to alertmanager, which mails root.
 */
export async function checkMetrics(t: Target, jobs: string[] = JOBS): Promise<void> {
  const socks = await metricSockets(t);
  expect(
    socks.filter((s) => s.addr !== '127.0.0.1'),
    'metric daemons listening beyond 127.0.0.1',
  ).toEqual([]);
  expect([...new Set(socks.map((s) => s.port))].sort()).toEqual(PORTS);

  type Targets = { data: { activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }> } };
  const targets = await waitFor(
    t,
    'curl -sf http://127.0.0.1:9090/api/v1/targets',
    (out) => {
      const a = (JSON.parse(out) as Targets).data.activeTargets;
      return a.length === jobs.length && a.every((x) => x.health === 'up');
    },
    90_000,
    `prometheus scraping ${jobs.join(', ')}, all up`,
  );
  expect((JSON.parse(targets) as Targets).data.activeTargets.map((x) => x.labels.job).sort()).toEqual([...jobs].sort());

  type Rules = { data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> } };
  const rulesDoc = JSON.parse(await sh(t, 'curl -sf http://127.0.0.1:9090/api/v1/rules')) as Rules;
  const rules = rulesDoc.data.groups.flatMap((g) => g.rules);
  expect(rules.map((r) => r.name).sort()).toEqual(expect.arrayContaining(RULES));

  expect(await sh(t, 'curl -sf http://127.0.0.1:9187/metrics')).toMatch(/^pg_up 1$/m);

  await sh(t, 'rm -f /var/lib/prometheus/node-exporter/appliance_backup.prom');
  await failOnce(t, 'appliance-backup.service');
  expect(await sh(t, 'cat /var/lib/prometheus/node-exporter/appliance_backup.prom')).toMatch(
    /^appliance_backup_success 0$/m,
  );
  await waitFor(
    t,
    'curl -sf http://127.0.0.1:9093/api/v2/alerts',
    (out) => out.includes('"BackupFailed"'),
    120_000,
    'alertmanager to receive BackupFailed',
  );
  await waitFor(
    t,
    'grep -l "BackupFailed" /root/Maildir/new/* 2>/dev/null || true',
    (out) => out.trim() !== '',
    150_000,
    "the BackupFailed mail in root's mailbox",
  );
}
