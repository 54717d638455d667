// service states with real systemd in a booted Debian 12 target over SSH, through the pipeline
// with file.managed for the unit: start + enable, second run no change, restart on watch (the
// dry run says "would restart"), daemon-reload when the unit file changed, reload: True, and
// dead / disabled / masked / unmasked / enabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules } from '../../../modules/service/index.js';
import { checkApply, plan } from '../../support/checkapply.js';
import { type Booted, bootTarget, runSls, statesTree, summary } from './target.js';

const service = modules.service!;
let b: Booted;
let tree: ReturnType<typeof statesTree>;

const UNIT = '/etc/systemd/system/brine-web.service';
const SLS = `
${UNIT}:
  file.managed:
    - contents: |
        [Unit]
        Description=brine test web server
        [Service]
        ExecStart=/usr/bin/python3 -m http.server {{ pillar['port'] }} --bind 127.0.0.1 --directory /srv
        [Install]
        WantedBy=multi-user.target

/srv/index.html:
  file.managed:
    - contents: "{{ pillar['page'] }}"

brine-web:
  service.running:
    - enable: True
    - watch:
      - file: ${UNIT}
      - file: /srv/index.html
`;

async function sh(cmd: string): Promise<string> {
  const r = await b.t.ssh(cmd);
  return r.stdout.trim();
}
const mainPid = () => sh('systemctl show -p MainPID --value brine-web.service');
const get = (port: number) =>
  sh(
    `python3 -c "import urllib.request as u; ` +
      `print(u.urlopen('http://127.0.0.1:${port}/index.html').read().decode())" 2>&1`,
  );
async function waitListening(port: number): Promise<void> {
  await b.t.ssh(
    `for i in $(seq 50); do python3 -c "import socket; ` +
      `socket.create_connection(('127.0.0.1', ${port}))" 2>/dev/null && exit 0; sleep 0.1; done; exit 1`,
  );
}

beforeAll(async () => {
  b = await bootTarget();
  tree = statesTree({ 'web.sls': SLS });
}, 300_000);
afterAll(async () => {
  tree?.cleanup();
  await b?.stop();
});

describe('service.running with a managed unit file', () => {
  it('dry run: the service would start after its unit file; nothing changes', async () => {
    const r = await runSls(b.host, tree.dir, ['web'], true, { port: 8081, page: 'one' });
    expect(summary(r)).toEqual([
      [`file.managed ${UNIT}`, null, [`create ${UNIT}`]],
      ['file.managed /srv/index.html', null, ['create /srv/index.html']],
      ['service.running brine-web', null, []],
    ]);
    expect(r.results[2]!.comment).toBe(`would change after file: ${UNIT}`);
    expect(await sh(`test -e ${UNIT}; echo $?; systemctl is-active brine-web`)).toBe('1\ninactive');
  });

  it('real run: starts and enables; second run changes nothing and restarts nothing', async () => {
    const r = await runSls(b.host, tree.dir, ['web'], false, { port: 8081, page: 'one' });
    expect(summary(r)).toEqual([
      [`file.managed ${UNIT}`, true, [`create ${UNIT}`]],
      ['file.managed /srv/index.html', true, ['create /srv/index.html']],
      ['service.running brine-web', true, ['update running', 'update enabled']],
    ]);
    expect(r.results[2]!.changes).toEqual([
      { op: 'update', kind: 'running', target: 'running', before: 'inactive', after: 'active' },
      { op: 'update', kind: 'enabled', target: 'enabled', before: 'disabled', after: 'enabled' },
    ]);
    expect(await sh('systemctl is-active brine-web; systemctl is-enabled brine-web')).toBe('active\nenabled');
    await waitListening(8081);
    expect(await get(8081)).toBe('one');
    const pid = await mainPid();
    for (const test of [true, false]) {
      const again = await runSls(b.host, tree.dir, ['web'], test, { port: 8081, page: 'one' });
      expect(again.results.map((x) => [x.result, x.changes])).toEqual([
        [true, []],
        [true, []],
        [true, []],
      ]);
    }
    expect(await mainPid()).toBe(pid);
  });

  it('a watched file change: the dry run says "would restart", the real run restarts', async () => {
    const pid = await mainPid();
    const dry = await runSls(b.host, tree.dir, ['web'], true, { port: 8081, page: 'two' });
    expect(summary(dry)[2]).toEqual(['service.running brine-web', null, ['run brine-web']]);
    expect(dry.results[2]!.changes[0]!.after).toBe('restart');
    expect(await mainPid()).toBe(pid);
    const r = await runSls(b.host, tree.dir, ['web'], false, { port: 8081, page: 'two' });
    expect(summary(r)[2]).toEqual(['service.running brine-web', true, ['run brine-web']]);
    expect(await mainPid()).not.toBe(pid);
    expect(await sh('systemctl is-active brine-web')).toBe('active');
  });

  it('a changed unit file: daemon-reload before the restart, the new definition runs', async () => {
    const r = await runSls(b.host, tree.dir, ['web'], false, { port: 8082, page: 'two' });
    expect(summary(r)[2]).toEqual(['service.running brine-web', true, ['run daemon-reload', 'run restart']]);
    expect(await sh('systemctl show -p NeedDaemonReload --value brine-web')).toBe('no');
    await waitListening(8082);
    expect(await get(8082)).toBe('two');
  });

  it('a watched change while the service only needs enabling: enabled AND restarted (dry run says so)', async () => {
    await b.t.ssh('systemctl disable brine-web 2>/dev/null');
    const pid = await mainPid();
    const dry = await runSls(b.host, tree.dir, ['web'], true, { port: 8082, page: 'three' });
    expect(summary(dry)[2]).toEqual(['service.running brine-web', null, ['update enabled', 'run brine-web']]);
    expect(await sh('systemctl is-enabled brine-web')).toBe('disabled');
    const r = await runSls(b.host, tree.dir, ['web'], false, { port: 8082, page: 'three' });
    expect(summary(r)[2]).toEqual(['service.running brine-web', true, ['update enabled', 'run brine-web']]);
    expect(await mainPid()).not.toBe(pid);
    expect(await sh('systemctl is-enabled brine-web')).toBe('enabled');
    await waitListening(8082);
    expect(await get(8082)).toBe('three');
  });
});

describe('service functions one by one on real systemd', () => {
  const RELOADER = '/lib/systemd/system/brine-reload.service'; // vendor dir: a unit there can be masked
  beforeAll(async () => {
    await b.t.ssh(`cat > ${RELOADER} <<'EOF'
[Service]
ExecStart=/bin/sh -c 'trap "echo reloaded >> /run/brine-reload.log" HUP; while :; do sleep 0.2; done'
ExecReload=/bin/kill -HUP $MAINPID
[Install]
WantedBy=multi-user.target
EOF`);
  });

  it('reload: True reloads on watch instead of restarting', async () => {
    const args = { name: 'brine-reload', reload: true };
    expect((await checkApply(b.host, service.running!, args)).replanned).toEqual([]);
    const pid = await sh('systemctl show -p MainPID --value brine-reload');
    expect(service.running!.refreshVerb!(args)).toBe('reload');
    await service.running!.refresh!(b.host, args, undefined as never);
    await b.t.ssh('for i in $(seq 30); do [ -s /run/brine-reload.log ] && break; sleep 0.1; done');
    expect(await sh('cat /run/brine-reload.log; systemctl show -p MainPID --value brine-reload')).toBe(
      `reloaded\n${pid}`,
    );
  });

  it('dead + disabled, then enabled, masked, unmasked: each planned exactly and converged', async () => {
    const steps: Array<[keyof typeof service, Record<string, unknown>, string[], string]> = [
      ['dead', { name: 'brine-web', enable: false }, ['update running', 'update enabled'], 'inactive disabled'],
      ['enabled', { name: 'brine-web' }, ['update enabled'], 'inactive enabled'],
      ['disabled', { name: 'brine-web' }, ['update enabled'], 'inactive disabled'],
      ['masked', { name: 'brine-reload' }, ['update masked'], ''],
      ['unmasked', { name: 'brine-reload' }, ['update masked'], ''],
    ];
    for (const [fun, args, expected, after] of steps) {
      const fn = service[fun]!;
      const dry = await plan(b.host, fn, args as { name: string });
      const r = await checkApply(b.host, fn, args as { name: string });
      expect([fun, r.planned]).toEqual([fun, dry]);
      expect(r.planned.map((c) => `${c.op} ${c.target}`)).toEqual(expected);
      expect(r.replanned).toEqual([]);
      if (after)
        expect(await sh('echo $(systemctl is-active brine-web) $(systemctl is-enabled brine-web)')).toBe(after);
    }
  });

  it('a masked unit cannot be started (one line), a missing one neither', async () => {
    expect((await b.t.ssh('systemctl stop brine-reload && systemctl mask brine-reload')).exitCode).toBe(0);
    await expect(plan(b.host, service.running!, { name: 'brine-reload' })).rejects.toThrow(
      'brine-reload.service: unit brine-reload.service is masked (set unmask: True or use service.unmasked)',
    );
    await expect(plan(b.host, service.running!, { name: 'brine-nope' })).rejects.toThrow(
      'brine-nope.service: unit brine-nope.service not found',
    );
    const r = await checkApply(b.host, service.running!, { name: 'brine-reload', unmask: true });
    expect(r.planned.map((c) => c.target)).toEqual(['masked', 'running']);
    expect(r.replanned).toEqual([]);
  });

  it("a failing start fails with systemd's reason and the unit's last log lines", async () => {
    await b.t.ssh(
      `printf '[Service]\\nType=oneshot\\nRemainAfterExit=yes\\nExecStart=/bin/sh -c "echo brine-boom >&2; exit ` +
        `3"\\n' > /etc/systemd/system/brine-bad.service`,
    );
    await expect(checkApply(b.host, service.running!, { name: 'brine-bad' })).rejects.toThrow(
      /^brine-bad.service: systemctl start brine-bad.service failed: .*last log: .*brine-boom/,
    );
  });
});
