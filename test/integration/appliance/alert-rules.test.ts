// The appliance's alert rules (states/metric/files/appliance.rules.yml) evaluated by Prometheus's own
// rule engine: `promtool test rules` (Debian's prometheus package; scripts/ci.d/65-promtool.sh) with
// series as the node exporter and prometheus give them. In standby (appliance_standby 1, written by
// appliance.include when the boot chain skips the containers) appliance.service and the compose
// project's exporters are down on purpose and do not alert; every other unit and exporter still
// does, and out of standby (or on a host that never wrote the metric) they all do.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RULES = join(import.meta.dirname, '../../../states/metric/files/appliance.rules.yml');
const NODE = { job: 'node', instance: '127.0.0.1:9100' };
let dir: string;

type Labels = Record<string, string>;
const series = (name: string, labels: Labels, values: string) => ({
  series: `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`,
  values,
});
/** node_systemd_unit_state of a unit: 1 for its state, 0 for the others. */
const unit = (name: string, state: 'active' | 'inactive' | 'failed') =>
  (['active', 'inactive', 'failed'] as const).map((s) =>
    series('node_systemd_unit_state', { ...NODE, name, state: s, type: 'service' }, s === state ? '1x15' : '0x15'),
  );
const up = (job: string, value: 0 | 1, extra: Labels = {}) =>
  series('up', { job, instance: `${job}:1`, ...extra }, `${value}x15`);
const standby = (value: 0 | 1) => series('appliance_standby', NODE, `${value}x15`);
const compose = (value: 0 | 1) => [
  up('redis', value, { standby: 'stopped' }),
  up('memcached', value, { standby: 'stopped' }),
];

const serviceDown = (name: string) => ({
  exp_labels: { ...NODE, name, state: 'active', type: 'service', severity: 'error' },
  exp_annotations: { summary: `${name} is not running`, description: `${name} has not been active for 5 minutes.` },
});
const exporterDown = (job: string, extra: Labels = {}) => ({
  exp_labels: { job, instance: `${job}:1`, ...extra, severity: 'error' },
  exp_annotations: {
    summary: `${job} (${job}:1) cannot be scraped`,
    description: `Prometheus could not scrape ${job}:1 for 2 minutes.`,
  },
});

/** `promtool test rules` of one test case: the series and the alerts expected after 10 minutes. */
async function promtool(
  input: unknown[],
  expected: Record<string, unknown[]>,
): Promise<{ exitCode: number | undefined; out: string }> {
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.yml`);
  const test = {
    rule_files: [RULES],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: input,
        alert_rule_test: Object.entries(expected).map(([alertname, exp_alerts]) => ({
          eval_time: '10m',
          alertname,
          exp_alerts,
        })),
      },
    ],
  };
  writeFileSync(file, stringify(test));
  const r = await execa('promtool', ['test', 'rules', file], { reject: false, all: true });
  return { exitCode: r.exitCode, out: r.all ?? '' };
}

beforeAll(async () => {
  const v = await execa('promtool', ['--version'], { reject: false });
  if (v.exitCode !== 0) throw new Error('promtool is missing: run scripts/ci.d/65-promtool.sh');
  dir = mkdtempSync(join(tmpdir(), 'brine-rules-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('alert rules under promtool', () => {
  it('the rules file is valid', async () => {
    const r = await execa('promtool', ['check', 'rules', RULES], { reject: false, all: true });
    expect(r.exitCode, r.all).toBe(0);
  });

  it('standby: appliance.service and the compose exporters are down on purpose, nothing fires', async () => {
    const r = await promtool(
      [
        ...unit('appliance.service', 'inactive'),
        ...unit('nginx.service', 'active'),
        up('node', 1),
        ...compose(0),
      ].concat(standby(1)),
      { ServiceDown: [], ExporterDown: [], ServiceFailed: [] },
    );
    expect(r.exitCode, r.out).toBe(0);
  });

  it('standby: another unit or exporter down still fires, and so does a failed appliance.service', async () => {
    const r = await promtool(
      [
        ...unit('appliance.service', 'failed'),
        ...unit('nginx.service', 'inactive'),
        up('node', 1),
        up('postgres', 0),
        ...compose(0),
        standby(1),
      ],
      {
        ServiceDown: [serviceDown('nginx.service')],
        ExporterDown: [exporterDown('postgres')],
        ServiceFailed: [
          {
            exp_labels: { ...NODE, name: 'appliance.service', state: 'failed', type: 'service', severity: 'error' },
            exp_annotations: {
              summary: 'appliance.service failed',
              description: 'systemd reports appliance.service as failed (systemctl status appliance.service).',
            },
          },
        ],
      },
    );
    expect(r.exitCode, r.out).toBe(0);
  });

  for (const [what, flag] of [
    ['out of standby (appliance_standby 0)', [standby(0)]],
    ['on a host that never wrote appliance_standby', []],
  ] as const) {
    it(`${what}: appliance.service and the compose exporters down fire`, async () => {
      const r = await promtool([...unit('appliance.service', 'inactive'), up('node', 1), ...compose(0), ...flag], {
        ServiceDown: [serviceDown('appliance.service')],
        ExporterDown: [
          exporterDown('memcached', { standby: 'stopped' }),
          exporterDown('redis', { standby: 'stopped' }),
        ],
      });
      expect(r.exitCode, r.out).toBe(0);
    });
  }

  it('control: the rules without the standby clauses fire ServiceDown in standby', async () => {
    // proves the series above reach the rules: the same standby case against the rules before this change
    const plain = readFileSync(RULES, 'utf8')
      .replace(/\n\s+unless on\(name\) \(node_systemd_unit_state\{name="appliance\.service"[^\n]*/, '')
      .replace(/up == 0 unless \(up\{standby="stopped"\} and on\(\) appliance_standby == 1\)/, 'up == 0');
    expect(plain).not.toContain('and on() appliance_standby');
    const file = join(dir, 'plain.rules.yml');
    writeFileSync(file, plain);
    const test = join(dir, 'plain-test.yml');
    writeFileSync(
      test,
      stringify({
        rule_files: [file],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [...unit('appliance.service', 'inactive'), up('node', 1), ...compose(0), standby(1)],
            alert_rule_test: [{ eval_time: '10m', alertname: 'ServiceDown', exp_alerts: [] }],
          },
        ],
      }),
    );
    const r = await execa('promtool', ['test', 'rules', test], { reject: false, all: true });
    expect(r.exitCode).toBe(1);
    expect(r.all).toMatch(/alertname: ServiceDown[\s\S]*got:\[[\s\S]*name="appliance\.service"/);
  });
});
