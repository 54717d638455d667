// cron.present / cron.absent as data: Salt's crontab format read and written.
import { describe, expect, it } from 'vitest';
import { planCron, planCronEnv } from '../../../modules/system/cron.js';
import { HEADER, parseCrontab, renderCrontab } from '../../../modules/system/cron-tab.js';

const SALT_TAB = `MAILTO=""
0 1 * * * /usr/bin/hand-made
${HEADER}
PATH=/usr/bin:/bin
# nightly backup SALT_CRON_IDENTIFIER:backup
30 2 * * * /usr/local/bin/backup
#DISABLED#*/5 * * * * /usr/bin/poll
@reboot /usr/bin/at-boot
`;

describe('crontab format', () => {
  it('reads and writes Salt-managed crontabs unchanged', () => {
    const t = parseCrontab(SALT_TAB);
    expect(t.pre).toEqual(['MAILTO=""', '0 1 * * * /usr/bin/hand-made']);
    expect(t.env).toEqual(['PATH=/usr/bin:/bin']);
    expect(t.jobs).toEqual([
      {
        minute: '30',
        hour: '2',
        daymonth: '*',
        month: '*',
        dayweek: '*',
        cmd: '/usr/local/bin/backup',
        comment: 'nightly backup',
        identifier: 'backup',
      },
      { minute: '*/5', hour: '*', daymonth: '*', month: '*', dayweek: '*', cmd: '/usr/bin/poll', commented: true },
      { minute: '*', hour: '*', daymonth: '*', month: '*', dayweek: '*', special: '@reboot', cmd: '/usr/bin/at-boot' },
    ]);
    expect(renderCrontab(t)).toBe(SALT_TAB);
  });
});

describe('cron.present / cron.absent', () => {
  it('no change when the job is in place', () => {
    expect(
      planCron(
        { name: '/usr/local/bin/backup', minute: 30, hour: 2, identifier: 'backup', comment: 'nightly backup' },
        { text: SALT_TAB },
        false,
      ).changes,
    ).toEqual([]);
    expect(planCron({ name: '/usr/bin/at-boot', special: '@reboot' }, { text: SALT_TAB }, false).changes).toEqual([]);
  });
  it('updates a job found by identifier (the command may change), appends a new one', () => {
    const p = planCron(
      { name: '/usr/local/bin/backup --full', minute: 0, hour: 3, identifier: 'backup' },
      { text: SALT_TAB },
      false,
    );
    expect(p.changes[0]!.diff).toContain('-30 2 * * * /usr/local/bin/backup\n+0 3 * * * /usr/local/bin/backup --full');
    expect(p.text).toContain('# nightly backup SALT_CRON_IDENTIFIER:backup\n0 3 * * * /usr/local/bin/backup --full\n');
    const n = planCron({ name: 'date >> /tmp/d', minute: '*/10' }, { text: '' }, false);
    expect(n.changes.map((c) => [c.op, c.target])).toEqual([['create', 'crontab of root: date >> /tmp/d']]);
    expect(n.text).toBe(`${HEADER}\n*/10 * * * * date >> /tmp/d\n`);
  });
  it('absent removes the job by command; nothing when it is not there', () => {
    const p = planCron({ name: '/usr/bin/at-boot' }, { text: SALT_TAB }, true);
    expect(p.changes.map((c) => c.op)).toEqual(['delete']);
    expect(p.text).not.toContain('at-boot');
    expect(planCron({ name: '/usr/bin/none' }, { text: SALT_TAB }, true).changes).toEqual([]);
  });
});

describe('cron.env_present / cron.env_absent', () => {
  it('no change when the variable has the value; a new one goes after the others, before the jobs', () => {
    expect(planCronEnv({ name: 'PATH', value: '/usr/bin:/bin' }, { text: SALT_TAB }, false).changes).toEqual([]);
    const p = planCronEnv({ name: 'MAILTO', value: 'ops@example.org' }, { text: SALT_TAB }, false);
    expect(p.changes.map((c) => [c.op, c.target])).toEqual([['create', 'crontab of root: MAILTO']]);
    // the MAILTO above Salt's header is the user's own line, kept as it is (Salt does the same)
    expect(p.text).toBe(SALT_TAB.replace('PATH=/usr/bin:/bin\n', 'PATH=/usr/bin:/bin\nMAILTO=ops@example.org\n'));
  });
  it('updates a value in place; an empty or missing value is NAME=""; a fresh crontab gets the header', () => {
    const p = planCronEnv({ name: 'PATH', value: '/opt/bin:/usr/bin' }, { text: SALT_TAB }, false);
    expect(p.changes[0]!.op).toBe('update');
    expect(p.changes[0]!.diff).toContain('-PATH=/usr/bin:/bin\n+PATH=/opt/bin:/usr/bin');
    expect(planCronEnv({ name: 'MAILTO', value: '' }, { text: '' }, false).text).toBe(`${HEADER}\nMAILTO=""\n`);
    expect(planCronEnv({ name: 'MAILTO' }, { text: '' }, false).text).toBe(`${HEADER}\nMAILTO=""\n`);
  });
  it('env_absent removes the managed line only; nothing when it is not there', () => {
    const p = planCronEnv({ name: 'PATH' }, { text: SALT_TAB }, true);
    expect(p.changes.map((c) => c.op)).toEqual(['delete']);
    expect(p.text).toBe(SALT_TAB.replace('PATH=/usr/bin:/bin\n', ''));
    expect(planCronEnv({ name: 'MAILTO' }, { text: SALT_TAB }, true).changes).toEqual([]);
  });
});
