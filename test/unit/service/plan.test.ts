// service plan as data: systemctl output -> unit facts -> changes; systemd offline is planned, not thrown.
import { describe, expect, it } from 'vitest';
import { planDead, planEnabled, planMasked, planRunning, running } from '../../../modules/service/service.js';
import { parseUnits, type UnitFacts, unitName } from '../../../modules/service/units.js';

const u = (o: Partial<UnitFacts>): UnitFacts => ({
  systemd: true,
  unit: 'nginx.service',
  load: 'loaded',
  active: 'active',
  fileState: 'enabled',
  needReload: false,
  ...o,
});

describe('unit facts', () => {
  it('names units', () => {
    expect(unitName('nginx')).toBe('nginx.service');
    expect(unitName('apt-daily.timer')).toBe('apt-daily.timer');
    expect(unitName('getty@tty1.service')).toBe('getty@tty1.service');
  });

  it('parses systemctl show blocks in argument order (aliases keep the asked name)', () => {
    const out = [
      '@@systemd',
      'Id=ssh.service',
      'LoadState=loaded',
      'ActiveState=active',
      'UnitFileState=enabled',
      'NeedDaemonReload=yes',
      '',
      'Id=nope.service',
      'LoadState=not-found',
      'ActiveState=inactive',
      'UnitFileState=',
      'NeedDaemonReload=no',
      '',
    ].join('\n');
    expect(parseUnits(out, ['sshd.service', 'nope.service'])).toEqual([
      { systemd: true, unit: 'sshd.service', load: 'loaded', active: 'active', fileState: 'enabled', needReload: true },
      { systemd: true, unit: 'nope.service', load: 'not-found', active: 'inactive', fileState: '', needReload: false },
    ]);
  });

  it('reads unit-file states without a running systemd', () => {
    const out = '@@offline\ncron.service\tenabled\nx.service\tmasked\nnope.service\t\n';
    expect(
      parseUnits(out, ['cron.service', 'x.service', 'nope.service']).map((f) => [
        f.systemd,
        f.load,
        f.active,
        f.fileState,
      ]),
    ).toEqual([
      [false, 'loaded', 'unknown', 'enabled'],
      [false, 'masked', 'unknown', 'masked'],
      [false, 'not-found', 'unknown', ''],
    ]);
  });
});

describe('service.running', () => {
  it('is satisfied by an active enabled unit', () => {
    expect(planRunning({ name: 'nginx', enable: true }, u({}))).toEqual([]);
    expect(planRunning({ name: 'nginx' }, u({ fileState: 'disabled' }))).toEqual([]);
  });

  it('starts and enables', () => {
    expect(planRunning({ name: 'nginx', enable: true }, u({ active: 'failed', fileState: 'disabled' }))).toEqual([
      { op: 'update', kind: 'running', target: 'running', before: 'failed', after: 'active' },
      { op: 'update', kind: 'enabled', target: 'enabled', before: 'disabled', after: 'enabled' },
    ]);
    expect(planRunning({ name: 'nginx', enable: false }, u({}))).toEqual([
      { op: 'update', kind: 'enabled', target: 'enabled', before: 'enabled', after: 'disabled' },
    ]);
    expect(planRunning({ name: 'nginx', enable: true }, u({ fileState: 'static' }))).toEqual([]);
  });

  it('daemon-reloads a changed unit and restarts it when it runs', () => {
    expect(planRunning({ name: 'nginx' }, u({ needReload: true }))).toEqual([
      { op: 'run', kind: 'daemon-reload', target: 'daemon-reload', after: 'nginx.service changed on disk' },
      { op: 'run', kind: 'restart', target: 'restart', after: 'restart: its unit file changed' },
    ]);
    expect(planRunning({ name: 'nginx' }, u({ needReload: true, active: 'inactive' })).map((c) => c.target)).toEqual([
      'daemon-reload',
      'running',
    ]);
  });

  it('plans (never throws) when systemd is not running; a missing unit fails', () => {
    expect(
      planRunning({ name: 'nginx', enable: true }, u({ systemd: false, active: 'unknown', fileState: 'disabled' })),
    ).toEqual([
      { op: 'update', kind: 'running', target: 'running', before: 'unknown (systemd is not running)', after: 'active' },
      { op: 'update', kind: 'enabled', target: 'enabled', before: 'disabled', after: 'enabled' },
    ]);
    expect(() => planRunning({ name: 'nope' }, u({ unit: 'nope.service', load: 'not-found', fileState: '' }))).toThrow(
      /unit nope.service not found/,
    );
  });

  it('refuses masked units unless unmask', () => {
    expect(() =>
      planRunning({ name: 'nginx' }, u({ load: 'masked', fileState: 'masked', active: 'inactive' })),
    ).toThrow(/masked/);
    expect(
      planRunning({ name: 'nginx', unmask: true }, u({ load: 'masked', fileState: 'masked', active: 'inactive' })).map(
        (c) => c.target,
      ),
    ).toEqual(['masked', 'running']);
  });

  it('watch restarts, or reloads with reload: True', () => {
    expect(running.refreshVerb!({ name: 'nginx' })).toBe('restart');
    expect(running.refreshVerb!({ name: 'nginx', reload: true })).toBe('reload');
  });
});

describe('service.dead / enabled / disabled / masked / unmasked', () => {
  it('stops and disables', () => {
    expect(planDead({ name: 'nginx', enable: false }, u({}))).toEqual([
      { op: 'update', kind: 'running', target: 'running', before: 'active', after: 'inactive' },
      { op: 'update', kind: 'enabled', target: 'enabled', before: 'enabled', after: 'disabled' },
    ]);
    expect(planDead({ name: 'nginx' }, u({ active: 'failed' }))).toEqual([]);
    expect(planDead({ name: 'salt-minion', enable: false }, u({ load: 'not-found', fileState: '' }))).toEqual([]);
    expect(planDead({ name: 'nginx' }, u({ systemd: false, active: 'unknown' }))).toEqual([]);
  });

  it('enables, disables, masks, unmasks', () => {
    expect(planEnabled(u({ fileState: 'disabled' }), true)).toEqual([
      { op: 'update', kind: 'enabled', target: 'enabled', before: 'disabled', after: 'enabled' },
    ]);
    expect(planEnabled(u({ fileState: 'enabled' }), false)).toEqual([
      { op: 'update', kind: 'enabled', target: 'enabled', before: 'enabled', after: 'disabled' },
    ]);
    expect(planEnabled(u({ fileState: 'static' }), false)).toEqual([]);
    expect(planMasked(u({}), true)).toEqual([
      { op: 'update', kind: 'masked', target: 'masked', before: false, after: true },
    ]);
    expect(planMasked(u({ load: 'masked', fileState: 'masked' }), false)).toEqual([
      { op: 'update', kind: 'masked', target: 'masked', before: true, after: false },
    ]);
    expect(planMasked(u({ load: 'masked', fileState: 'masked' }), true)).toEqual([]);
  });
});
