// Execution functions in templates run on the target through the Host (here the local machine),
// in render rounds, cached per session; log.* reaches the log once; a function brine lacks fails.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RenderError } from '../../../engine/errors.js';
import { loadPillarTree } from '../../../engine/env/pillar-tree.js';
import { LocalHost } from '../../../engine/host/local.js';
import { ExecSession, Renderer, renderOnTarget } from '../../../engine/render/index.js';
import { GRAINS, PILLAR, statesDir } from './fixture.js';

const host = new LocalHost();
afterAll(() => host.close());

function setup(files: Record<string, string> = {}) {
  const logs: Array<[string, string]> = [];
  const exec = new ExecSession(host, { log: (l, m) => logs.push([l, m]) });
  const r = new Renderer({
    statesDir: statesDir(files),
    pillar: structuredClone(PILLAR),
    grains: structuredClone(GRAINS),
    minionId: 'web1',
    exec,
  });
  const render = (tpl: string) => renderOnTarget(exec, () => r.renderString(tpl, 'x.sls'));
  return { exec, r, render, logs };
}

describe('execution functions run on the target', () => {
  it('cmd.run, run_stdout, run_all, retcode, has_exec, which', async () => {
    const { render } = setup();
    const out = await render(
      "{{ salt['cmd.run']('echo out; echo err >&2') }}|{{ salt['cmd.run_stdout']('echo out; echo err >&2') }}|" +
        "{{ salt['cmd.retcode']('exit 3') }}|{{ salt['cmd.run_all']('echo o; exit 2').retcode }}|" +
        "{{ salt['cmd.has_exec']('sh') }}{{ salt['cmd.has_exec']('no-such-binary-x') }}|{{ salt['cmd.which']('sh') " +
        '}}|' +
        "{{ salt.cmd.run('pwd', cwd='/tmp') }}|{{ salt['cmd.run']('printf \"%s\" \"$1\"', python_shell=True) == '' }}",
    );
    const sh = execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim();
    expect(out).toBe(`out\nerr|out|3|2|TrueFalse|${sh}|/tmp|True`);
  });

  it('a command whose argument comes from another command runs only with the real value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brine-exec-'));
    const log = join(dir, 'log');
    const { render, exec } = setup();
    const out = await render(
      `{% set a = salt['cmd.run']('echo first >> ${log}; echo A') %}{% set b = salt['cmd.run']('echo second-' ~ a ~ ` +
        `' >> ${log}; echo B' ~ a) %}` +
        `{% if salt['file.file_exists']('${log}') %}{{ a }}{{ b }}{% endif %}`,
    );
    expect(out).toBe('ABA');
    // never `second-` with an empty stand-in value
    expect(readFileSync(log, 'utf8')).toBe('first\nsecond-A\n');
    expect(exec.calls).toBe(3);
  });

  it('answers are cached for the session; a repeated command gets its own answer', async () => {
    const { render, exec } = setup();
    const tpl =
      "{{ salt['file.directory_exists']('/tmp') }}{{ salt['file.directory_exists']('/tmp') }}|{{ " +
      "salt['cmd.run']('od -An -N8 -tx8 /dev/urandom') }}|{{ salt['cmd.run']('od -An -N8 -tx8 /dev/urandom') }}";
    const first = await render(tpl);
    const calls = exec.calls;
    expect(calls).toBe(3);
    const [dirs, r1, r2] = first.split('|');
    expect(dirs).toBe('TrueTrue');
    expect(r1).not.toBe(r2);
    // the same template rendered again in the run: same answers, no new calls
    expect(await render(tpl)).toBe(first);
    expect(exec.calls).toBe(calls);
  });

  it('file, user, pkg, network, status functions read the machine', async () => {
    const { render } = setup();
    const me = userInfo().username;
    const dir = mkdtempSync(join(tmpdir(), 'brine-exec-'));
    writeFileSync(join(dir, 'f'), 'x');
    const out = await render(
      `{{ salt['file.file_exists']('${dir}/f') }}{{ ` +
        `salt['file.file_exists']('${dir}') }}{{ salt['file.directory_exists']('${dir}') }}` +
        `{{ salt['file.file_exists']('${dir}/nope') }}|` +
        `{{ salt['file.get_user']('${dir}/f') }}|{{ salt['file.get_user']('${dir}/nope') }}|{{ ` +
        `salt['file.dirname']('/a/b/c.txt') }}|{{ salt['file.basename']('/a/b/c.txt') }}|` +
        `{{ salt['user.info']('root').home }}|{{ salt['user.info']('no-such-user-x') }}|{{ ` +
        `salt['user.info']('root').groups }}`,
    );
    expect(out).toBe(`TrueFalseTrueFalse|${me}|False|/a/b|c.txt|/root|{}|['root']`);
    const dpkg = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'dpkg'], { encoding: 'utf8' });
    expect(
      await render(
        "{{ salt['pkg.version']('dpkg') }}|{{ salt['pkg.version']('no-such-package-x') }}|{{ " +
          "salt['pkg.info_installed']('dpkg').dpkg.version }}",
      ),
    ).toBe(`${dpkg}||${dpkg}`);
    expect(await render("{{ salt['network.ip_addrs'](include_loopback=True) }}")).toContain("'127.0.0.1'");
    expect(await render("{{ salt['network.ip_addrs']() }}")).not.toContain('127.0.0.1');
    expect(await render("{{ salt['status.time']('%Y') }}")).toBe(String(new Date().getUTCFullYear()));
    const routes = execFileSync('ip', ['-4', 'route', 'show', 'default'], { encoding: 'utf8' }).trim();
    const gw = /via (\S+)/.exec(routes)?.[1];
    if (gw) {
      expect(await render("{{ (salt['network.default_route']('inet')|first).gateway }}")).toBe(gw);
      expect(await render("{{ salt['network.get_route']('198.51.100.7').gateway }}")).toBe(gw);
      // the upstream appliance's main_ip: the source address towards the default gateway
      const src = /src (\S+)/.exec(execFileSync('ip', ['route', 'get', gw], { encoding: 'utf8' }))![1];
      expect(
        await render("{{ salt['network.get_route'](salt['network.default_route']('inet')[0].gateway).source }}"),
      ).toBe(src);
    }
  });

  it('log.* goes to the log once, not once per render round', async () => {
    const { render, logs } = setup();
    await render("{% do salt['log.warning']('before ' ~ salt['cmd.run']('echo x')) %}{% do salt.log.debug('after') %}");
    expect(logs).toEqual([
      ['warning', 'before x'],
      ['debug', 'after'],
    ]);
  });

  it('mine.get is {} with a warning in the debug log, as on a masterless minion without mine data', async () => {
    const { render, logs } = setup();
    expect(
      await render(
        "{% for id, addrs in salt['mine.get']('*', 'network.ip_addrs', tgt_type='glob').items() %}{{ id }}{% endfor " +
          "%}|{{ salt['mine.get']('*', 'x') | length }}",
      ),
    ).toBe('|0');
    expect(logs[0]).toEqual([
      'warning',
      "mine.get('*', 'network.ip_addrs'): brine has no mine; {} as on a masterless minion without mine data",
    ]);
  });

  it('cp.list_master_dirs lists the state tree', async () => {
    const { render } = setup({ 'a/b/init.sls': '', 'c/x.sls': '' });
    expect(await render("{{ salt['cp.list_master_dirs']() }}|{{ salt['cp.list_master'](prefix='a/') }}")).toBe(
      "['a', 'a/b', 'c']|['a/b/init.sls']",
    );
  });

  it('a function brine lacks is not callable and fails naming it; `in salt` knows what exists', async () => {
    const { render } = setup();
    expect(
      await render(
        "{{ salt['publish.publish'] is callable }}{{ salt['cmd.run'] is callable }}{{ 'cmd.run' in salt }}{{ " +
          "'publish.publish' in salt }}{{ 'pillar.get' in salt }}",
      ),
    ).toBe('FalseTrueTrueFalseTrue');
    await expect(render("\n{{ salt['publish.publish']('*', 'x') }}")).rejects.toThrow(
      /^x\.sls:2: salt\['publish\.publish'\] is not an execution function brine has \(brine follows Salt 3006/,
    );
    await expect(render("{{ salt['cmd.run']() }}")).rejects.toThrow(/cmd.run\(\) missing required argument 'cmd'/);
    await expect(render("{{ salt['cmd.run']('true', bogus=1) }}")).rejects.toThrow(
      /cmd.run\(\) got an unexpected keyword argument 'bogus'/,
    );
  });

  it('a failing read is a render error naming the template line', async () => {
    const { render } = setup();
    const err = await render("a\n{{ salt['file.read']('/no/such/file') }}").catch((e) => e);
    expect(err).toBeInstanceOf(RenderError);
    expect(err.message).toBe('x.sls:2: file.read: /no/such/file does not exist on the target');
  });

  it('a pillar file runs functions on the target (upstream ecs-appliance pillar/env.sls)', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'brine-exec-')), 'active-env.yml');
    const pillarDir = statesDir({
      'top.sls': "base:\n  '*':\n    - env\n",
      'env.sls':
        `{% if salt['cmd.retcode']('test -e ${marker}') == 0 %}\ninclude:\n  - custom\n{% else ` +
        `%}\ninclude:\n  - default\n{% endif %}\n`,
      'custom.sls': 'which: custom\n',
      'default.sls': 'which: default\n',
      'bad.sls': "x: {{ salt['cmd.run']('true') }\n",
    });
    const load = () => {
      const exec = new ExecSession(host);
      return renderOnTarget(exec, () => loadPillarTree({ pillarDir, grains: GRAINS, minionId: 'web1', exec }));
    };
    expect((await load()).which).toBe('default');
    writeFileSync(marker, '');
    expect(existsSync(marker)).toBe(true);
    expect((await load()).which).toBe('custom');
    writeFileSync(join(pillarDir, 'top.sls'), "base:\n  '*':\n    - bad\n");
    await expect(load()).rejects.toThrow(/^pillar file bad\.sls:1: expected \}\} to end the expression$/);
  });
});
