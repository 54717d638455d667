// The appliance's metrics and alerts (manual 4.8, states/metric) on a booted Debian target with its
// own network and dockerd: `brine push --sls metric backup update postfix` with
// appliance:metric:exporter and :server on. The exporters, prometheus and alertmanager listen on
// 127.0.0.1 only; prometheus scrapes every exporter (all up) and loads the rules; the postgres
// exporter reads the database through its role; a failing backup (for real: the empty storage
// vault) and a failing update write their textfile metrics, fire alerts, and root gets the mail.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { type DockerTarget, startDockerTarget } from '../../harness/docker-target.js';
import { alertNames, checkMetrics, failOnce, waitFor } from './metric-checks.js';
import { changed, failures, onTarget, pushSls, results } from './sls-push.js';
import { makeTestTree, PG_PORT, type TestTree } from './tree.js';

const SLS = ['metric', 'backup', 'update', 'postfix'];
let tree: TestTree;
let target: DockerTarget;
let env: string;

beforeAll(async () => {
  tree = makeTestTree();
  const doc = parseDocument(readFileSync(tree.env, 'utf8'));
  doc.setIn(['appliance', 'metric', 'exporter'], true);
  doc.setIn(['appliance', 'metric', 'server'], true);
  env = join(tree.dir, 'env-metric.yml');
  writeFileSync(env, doc.toString());
  target = await startDockerTarget();
});

afterAll(async () => {
  await target?.stop();
  tree?.cleanup();
});

describe('metrics and alerts', () => {
  // the first push installs PostgreSQL, prometheus, alertmanager, duplicity, postfix: 4-5 min here,
  // over 10 on a loaded machine
  it('installs the exporters, prometheus and alertmanager', async () => {
    const first = await pushSls(target, tree, env, SLS, 1_500_000);
    expect(failures(results(first))).toEqual([]);
    expect(first.code).toBe(0);
  }, 1_600_000);

  it('a second run changes nothing', async () => {
    const second = await pushSls(target, tree, env, SLS);
    const rs = results(second);
    expect(failures(rs)).toEqual([]);
    expect(changed(rs)).toEqual([]);
    expect(second.code).toBe(0);
  });

  it('listens on 127.0.0.1 only, scrapes every exporter, loads the rules, and mails root a failed backup', async () => {
    await checkMetrics(target);
    // the role: pg_monitor, peer login over the socket, no password
    const sql =
      "SELECT pg_has_role('prometheus', 'pg_monitor', 'member'), rolpassword IS NULL " +
      "FROM pg_authid WHERE rolname = 'prometheus'";
    expect((await onTarget(target, `runuser -u postgres -- psql -p ${PG_PORT} -Atc "${sql}"`)).trim()).toBe('t|t');
  });

  it('a backup that fails for real (empty storage vault) reports success 0', async () => {
    await onTarget(target, 'echo "appliance: {}" > /run/active-env.yml');
    const before = Math.floor(Date.now() / 1000) - 5;
    const r = await target.ssh('systemctl start appliance-backup.service');
    expect(r.exitCode).not.toBe(0);
    expect(await onTarget(target, 'journalctl -u appliance-backup --no-pager -n 30')).toContain('backup refused');
    const prom = await onTarget(target, 'cat /var/lib/prometheus/node-exporter/appliance_backup.prom');
    expect(prom).toMatch(/^appliance_backup_success 0$/m);
    const lastRun = Number(/^appliance_backup_last_run_timestamp_seconds (\d+)$/m.exec(prom)?.[1]);
    expect(lastRun).toBeGreaterThanOrEqual(before);
    await onTarget(target, 'systemctl reset-failed appliance-backup.service');
  });

  it('a failed update fires UpdateFailed; a good run clears its metric', async () => {
    await failOnce(target, 'appliance-update.service');
    expect(await onTarget(target, 'cat /var/lib/prometheus/node-exporter/appliance_update.prom')).toMatch(
      /^appliance_update_success 0$/m,
    );
    await waitFor(
      target,
      'curl -sf http://127.0.0.1:9093/api/v2/alerts',
      (out) => out.includes('"UpdateFailed"'),
      120_000,
      'alertmanager to receive UpdateFailed',
    );
    expect(await alertNames(target)).toContain('UpdateFailed');
    // a successful run (the script itself, as its unit's ExecStopPost calls it) keeps the last success time
    await onTarget(target, 'SERVICE_RESULT=success /usr/local/sbin/appliance-metric-result.sh update');
    const ok = await onTarget(target, 'cat /var/lib/prometheus/node-exporter/appliance_update.prom');
    expect(ok).toMatch(/^appliance_update_success 1$/m);
    expect(ok).toMatch(/^appliance_update_last_success_timestamp_seconds \d+$/m);
  });
});
