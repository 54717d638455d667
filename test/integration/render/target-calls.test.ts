// Execution functions in templates run on the target over SSH, as Salt renders on the minion:
// a booted Debian 12 target whose facts differ from the controller's (a marker file, its own
// hostname and users); the dry run makes the calls too; each call is one command, asked once per
// run; a file.managed template rendered at apply time reads the target as well; file.contains_regex.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStates } from '../../../engine/pipeline.js';
import { registry } from '../../../modules/index.js';
import { Redactor } from '../../../engine/redact.js';
import { type Booted, bootTarget, statesTree } from '../system/target.js';

const MARKER = '/etc/brine-target-marker';

const SLS = `
{%- set hostname = salt['cmd.run']('cat /etc/hostname') %}
{%- set marked = salt['file.file_exists']('${MARKER}') %}
{%- set sshd = salt['pkg.version']('openssh-server') %}
report:
  file.managed:
    - name: /root/brine-report
    - contents: |
        host={{ hostname }}
        marked={{ marked }}
        sshd={{ sshd != '' }}
        root_home={{ salt['user.info']('root').home }}
        systemd={{ grains['init'] }}
        route={{ salt['network.default_route']('inet')|length > 0 }}
        again={{ salt['cmd.run']('cat /etc/hostname') == hostname }}
        tabs={{ salt['file.contains_regex']('${MARKER}', '^(\\w+)\\t+(\\w)') }}
        lchar={{ salt['file.contains_regex']('${MARKER}', '^x$', lchar='#') }}
        missing={{ salt['file.contains_regex']('/nonexistent', 'x') }}

templated:
  file.managed:
    - name: /root/brine-templated
    - source: salt://t.j2
    - template: jinja
`;

let b: Booted;
let tree: ReturnType<typeof statesTree>;
const sh = async (cmd: string) => (await b.t.ssh(cmd)).stdout.trim();

beforeAll(async () => {
  b = await bootTarget();
  await sh(`printf 'Port\\t22\\n##x\\n' > ${MARKER}`);
  tree = statesTree({
    't.sls': SLS,
    't.j2': "marker={{ salt['file.file_exists']('" + MARKER + "') }} user={{ salt['cmd.run']('id -un') }}\n",
  });
}, 300_000);
afterAll(async () => {
  tree?.cleanup();
  await b?.stop();
});

describe('templates call execution functions on the SSH target', () => {
  it('the dry run renders with the target facts and changes nothing', async () => {
    expect(existsSync(MARKER)).toBe(false); // only the target has it
    const host = b.host as typeof b.host & { roundTrips: number };
    const before = host.roundTrips;
    const report = await runStates({
      host: b.host,
      registry,
      statesDir: tree.dir,
      sls: ['t'],
      test: true,
      pillar: {},
      grains: { init: 'systemd' },
      minionId: 'target',
      redactor: new Redactor(),
    });
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    const diff = String(byName['/root/brine-report']!.changes[0]?.diff ?? '');
    const targetHost = await sh('cat /etc/hostname');
    expect(diff).toContain(`+host=${targetHost}`);
    expect(diff).toContain('+marked=True');
    expect(diff).toContain('+sshd=True');
    expect(diff).toContain('+root_home=/root');
    expect(diff).toContain('+again=True');
    // file.contains_regex reads the target's file (Python regex, lines after lstrip of lchar)
    expect(diff).toContain('+tabs=True\n+lchar=True\n+missing=False');
    expect(String(byName['/root/brine-templated']!.changes[0]?.diff ?? '')).toContain('+marker=True user=root');
    expect(await sh('ls /root/brine-report /root/brine-templated 2>&1 || true')).toMatch(/No such file/);
    // the calls are cheap: far fewer round trips than a call per render round
    expect(host.roundTrips - before).toBeLessThan(40);
  });

  it('the real run writes what the target answered', async () => {
    const report = await runStates({
      host: b.host,
      registry,
      statesDir: tree.dir,
      sls: ['t'],
      test: false,
      pillar: {},
      grains: { init: 'systemd' },
      minionId: 'target',
      redactor: new Redactor(),
    });
    expect(report.results.every((r) => r.result === true)).toBe(true);
    expect(await sh('cat /root/brine-report')).toContain(`host=${await sh('cat /etc/hostname')}\nmarked=True`);
    expect(await sh('cat /root/brine-templated')).toBe('marker=True user=root');
  });
});
