// State functions Salt formulas use, applied by the built CLI under a scratch --root:
// module.run/module.wait (both syntaxes), file.serialize, archive.extracted, sysctl.present (in a
// private UTS namespace: kernel.domainname is per namespace, so the test changes nothing else). Each: the dry run says
// exactly what
// the real run then does, a second run changes nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, brine, build, cleanScratch, scratch, treeHash, type Scratch } from '../cli/tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

interface Res {
  id: string;
  result: boolean | null;
  comment: string;
  changes: Array<{ op: string; target: string; diff?: string }>;
  warnings?: string[];
  output?: Record<string, unknown>;
}
const top = (sls: string) => `base:\n  '*':\n    - ${sls}\n`;
async function highstate(
  s: Scratch,
  ...more: string[]
): Promise<{ code: number | undefined; results: Res[]; stderr: string }> {
  const r = await brine(s, ['highstate', '--id', 'm1', '--out', 'json', ...more]);
  return { code: r.code, results: r.stdout ? JSON.parse(r.stdout).results : [], stderr: r.stderr };
}
const byId = (rs: Res[], id: string) => rs.find((r) => r.id === id)!;

describe('module.run / module.wait', () => {
  const SLS = `/srv/conf:
  file.managed:
    - contents: v1
    - makedirs: True

new-style:
  module.run:
    - file.mkdir:
      - /srv/made
      - mode: '0750'
    - file.write:
      - /srv/made/lines
      - first
      - second
    - cmd.run:
      - cmd: 'echo ran >> "$BRINE_ROOT/srv/log"'

old-style:
  module.run:
    - name: file.touch
    - m_name: /srv/touched

on-change:
  module.wait:
    - cmd.run:
      - 'echo changed >> "$BRINE_ROOT/srv/waited"'
    - watch:
      - file: /srv/conf
`;

  it('dry run lists the calls; the real run makes them; module.wait runs only when its watch fired', async () => {
    const s = scratch({ 'top.sls': top('mod'), 'mod.sls': SLS });
    const before = treeHash(s.root);
    const t = await highstate(s, '--test');
    expect(t.code).toBe(2);
    expect(treeHash(s.root)).toBe(before);
    expect(byId(t.results, 'new-style').changes.map((c) => c.target)).toEqual([
      'file.mkdir(dir_path="/srv/made", mode="0750")',
      'file.write(path="/srv/made/lines", "first", "second")',
      'cmd.run(cmd="echo ran >> \\"$BRINE_ROOT/srv/log\\"")',
    ]);
    expect(byId(t.results, 'on-change')).toMatchObject({
      result: null,
      changes: [{ op: 'run', target: 'on-change', after: 'run' }],
    });

    const r = await highstate(s);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'srv/made/lines'), 'utf8')).toBe('first\nsecond\n');
    expect(readFileSync(join(s.root, 'srv/log'), 'utf8')).toBe('ran\n');
    expect(existsSync(join(s.root, 'srv/touched'))).toBe(true);
    expect(readFileSync(join(s.root, 'srv/waited'), 'utf8')).toBe('changed\n');
    expect(byId(r.results, 'old-style').output).toEqual({ 'file.touch': { ret: true } });

    // again: module.run runs again (as in Salt), module.wait does not (nothing it watches changed)
    const again = await highstate(s);
    expect(again.code).toBe(0);
    expect(readFileSync(join(s.root, 'srv/log'), 'utf8')).toBe('ran\nran\n');
    expect(readFileSync(join(s.root, 'srv/waited'), 'utf8')).toBe('changed\n');
    expect(byId(again.results, 'on-change').comment).toBe(
      'State was not run because none of the watched states changed',
    );
  });

  it(
    'a failing function fails the state (cmd.run_all exit code, test.false); an unknown function is a compile ' +
      'error',
    async () => {
      const s = scratch({
        'top.sls': top('bad'),
        'bad.sls':
          'fails:\n  module.run:\n    - cmd.run_all:\n      - exit 3\nfalse:\n  module.run:\n    - test.false: []\n',
      });
      const r = await highstate(s);
      expect(r.code).toBe(1);
      expect(byId(r.results, 'fails')).toMatchObject({ result: false, comment: 'cmd.run_all failed' });
      expect(byId(r.results, 'false').result).toBe(false);
      const c = scratch({ 'top.sls': top('c'), 'c.sls': 'x:\n  module.run:\n    - service.restrat:\n      - nginx\n' });
      const cr = await brine(c, ['highstate', '--id', 'm1']);
      expect(cr.code).toBe(3);
      expect(cr.stderr.trim()).toMatch(
        new RegExp(
          String.raw`^brine: c\.sls:3: state 'x' \(module\.run\): unknown argument 'service\.restrat' \(did you mean ` +
            String.raw`'service\.restart'\?\)$`,
        ),
      );
    },
  );
});

describe('file.serialize', () => {
  it('writes yaml and json, merges into an existing file, dry run exact, second run no change', async () => {
    const s = scratch(
      {
        'top.sls': top('ser'),
        'ser.sls': `/etc/app/conf.yml:
  file.serialize:
    - dataset:
        b: [1, 2]
        a: {x: 'yes'}
    - formatter: yaml
    - makedirs: True
    - mode: '0640'

/etc/app/conf.json:
  file.serialize:
    - dataset_pillar: app
    - formatter: json
    - merge_if_exists: True
    - serializer_opts:
      - indent: 4
`,
      },
      { 'top.sls': "base:\n  '*':\n    - app\n", 'app.sls': 'app:\n  port: 8080\n  hosts: [a, b]\n' },
    );
    mkdirSync(join(s.root, 'etc/app'), { recursive: true });
    writeFileSync(join(s.root, 'etc/app/conf.json'), '{"keep": true, "port": 1}');
    const before = treeHash(s.root);
    const t = await highstate(s, '--test');
    expect(t.code).toBe(2);
    expect(treeHash(s.root)).toBe(before);
    const jt = byId(t.results, '/etc/app/conf.json');
    expect(jt.changes[0]!.diff).toContain('+  "port": 8080');
    expect(jt.warnings).toEqual(['serializer_opts has no effect: brine writes YAML and JSON as Salt does by default']);

    const r = await highstate(s);
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'etc/app/conf.yml'), 'utf8')).toBe("a:\n  x: 'yes'\nb:\n- 1\n- 2\n\n");
    expect(readFileSync(join(s.root, 'etc/app/conf.json'), 'utf8')).toBe(
      '{\n  "hosts": [\n    "a",\n    "b"\n  ],\n  "keep": true,\n  "port": 8080\n}\n',
    );
    const again = await highstate(s);
    expect(again.results.every((x) => x.result === true && x.changes.length === 0)).toBe(true);
  });
});

describe('archive.extracted', () => {
  it(
    'salt:// and target-local tar sources; source_hash; if_missing; enforce_toplevel; dry run exact; second run no ' +
      'change',
    async () => {
      const s = scratch({ 'top.sls': top('arc') });
      // a gzipped tar with one top-level directory in the state tree; a flat plain tar on the target
      const src = join(s.dir, 'src');
      mkdirSync(join(src, 'app-1.0/bin'), { recursive: true });
      writeFileSync(join(src, 'app-1.0/bin/run'), '#!/bin/sh\necho run\n');
      writeFileSync(join(src, 'app-1.0/README'), 'readme\n');
      execFileSync('tar', ['-czf', join(s.states, 'app.tar.gz'), '-C', src, 'app-1.0']);
      mkdirSync(join(s.root, 'srv'), { recursive: true });
      execFileSync('tar', ['-cf', join(s.root, 'srv/flat.tar'), '-C', join(src, 'app-1.0'), 'README', 'bin']);
      const sha = createHash('sha256')
        .update(readFileSync(join(s.states, 'app.tar.gz')))
        .digest('hex');
      s.write(
        'states/arc.sls',
        `/opt/app:
  archive.extracted:
    - source: salt://app.tar.gz
    - source_hash: sha256=${sha}
    - user: nobody
    - keep_source: True

/opt/flat:
  archive.extracted:
    - source:
      - /srv/missing.tar
      - /srv/flat.tar
    - enforce_toplevel: False

/opt/skipped:
  archive.extracted:
    - source: salt://app.tar.gz
    - if_missing: /srv

/opt/strict:
  archive.extracted:
    - source: /srv/flat.tar

/opt/badhash:
  archive.extracted:
    - source: salt://app.tar.gz
    - source_hash: '${'0'.repeat(64)}'

/opt/forced:
  archive.extracted:
    - source: /srv/flat.tar
    - enforce_toplevel: False
    - force: True

/opt/unforced:
  archive.extracted:
    - source: /srv/flat.tar
    - enforce_toplevel: False
`,
      );
      // a directory where the archive has the file README: force replaces it (only README differs)
      for (const d of ['forced', 'unforced']) {
        mkdirSync(join(s.root, `opt/${d}/README`), { recursive: true });
        writeFileSync(join(s.root, `opt/${d}/README/old`), 'old\n');
        execFileSync('tar', ['-xf', join(s.root, 'srv/flat.tar'), '-C', join(s.root, `opt/${d}`), 'bin']);
      }
      const before = treeHash(s.root);
      const t = await highstate(s, '--test');
      expect(t.stderr).toBe('');
      expect(t.code).toBe(1);
      expect(treeHash(s.root)).toBe(before);
      expect(byId(t.results, '/opt/app')).toMatchObject({
        result: null,
        changes: [
          {
            op: 'create',
            target: '/opt/app',
            after: 'salt://app.tar.gz: app-1.0, app-1.0/README, app-1.0/bin, app-1.0/bin/run',
          },
        ],
      });
      expect(byId(t.results, '/opt/app').warnings).toEqual([
        'keep_source has no effect: brine streams the archive to tar and keeps no copy of it',
      ]);
      expect(byId(t.results, '/opt/skipped')).toMatchObject({ result: true, changes: [] });
      expect(byId(t.results, '/opt/strict').comment).toMatch(
        /does not have a single top-level directory \(has: README, bin\)/,
      );
      expect(byId(t.results, '/opt/badhash').comment).toMatch(
        /source_hash mismatch: sha256 of the archive is [0-9a-f]{64}, expected 0{64}; nothing extracted/,
      );
      expect(byId(t.results, '/opt/forced')).toMatchObject({
        result: null,
        changes: [{ op: 'create', target: '/opt/forced', after: '/srv/flat.tar: README' }],
      });
      // without force, a path of the other kind counts as there (Salt fails such a state)
      expect(byId(t.results, '/opt/unforced')).toMatchObject({ result: true, changes: [] });

      const r = await highstate(s);
      expect(r.code).toBe(1);
      expect(byId(r.results, '/opt/app').result).toBe(true);
      expect(readFileSync(join(s.root, 'opt/app/app-1.0/bin/run'), 'utf8')).toBe('#!/bin/sh\necho run\n');
      expect(statSync(join(s.root, 'opt/app/app-1.0/bin/run')).uid).toBe(65534);
      expect(readFileSync(join(s.root, 'opt/flat/README'), 'utf8')).toBe('readme\n');
      expect(existsSync(join(s.root, 'opt/skipped'))).toBe(false);
      expect(existsSync(join(s.root, 'opt/strict'))).toBe(false);
      expect(existsSync(join(s.root, 'opt/badhash'))).toBe(false);
      expect(byId(r.results, '/opt/forced').result).toBe(true);
      expect(readFileSync(join(s.root, 'opt/forced/README'), 'utf8')).toBe('readme\n');
      expect(statSync(join(s.root, 'opt/unforced/README')).isDirectory()).toBe(true);
      const again = await highstate(s);
      expect(
        ['/opt/app', '/opt/flat', '/opt/skipped', '/opt/forced'].map((id) => byId(again.results, id).changes.length),
      ).toEqual([0, 0, 0, 0]);
    },
  );
});

describe('sysctl.present on this machine, in its own UTS namespace (kernel.domainname is per namespace)', () => {
  it('sets the running value with sysctl -w and writes the config line; second run no change', async () => {
    const s = scratch({
      'top.sls': top('sys'),
      'sys.sls':
        'kernel.domainname:\n  sysctl.present:\n    - value: brine-test.example\n    - config: ' +
        '/etc/sysctl.d/60-brine.conf\n',
    });
    // one shell in a new UTS namespace runs brine twice and prints the domain name after
    const run = (more: string) =>
      `node ${join(REPO, 'bin/brine.mjs')} highstate --id m1 --out json ` +
      `--states ${s.states} --pillar ${s.pillar} --env ${s.env} --root ${s.root} ${more}`;
    const r = execFileSync(
      'unshare',
      [
        '--uts',
        'sh',
        '-c',
        `${run('--test')} > ${s.dir}/t.json; ${run('')} > ${s.dir}/r.json; ${run('')} > ${s.dir}/a.json; cat ` +
          `/proc/sys/kernel/domainname`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.trim()).toBe('brine-test.example');
    const t = JSON.parse(readFileSync(join(s.dir, 't.json'), 'utf8')).results[0];
    const applied = JSON.parse(readFileSync(join(s.dir, 'r.json'), 'utf8')).results[0];
    const again = JSON.parse(readFileSync(join(s.dir, 'a.json'), 'utf8')).results[0];
    expect(t.changes.map((c: { op: string; target: string }) => `${c.op} ${c.target}`)).toEqual([
      'create /etc/sysctl.d/60-brine.conf',
      'update kernel.domainname',
    ]);
    expect(applied.result).toBe(true);
    expect(applied.changes.map((c: { op: string; target: string }) => `${c.op} ${c.target}`)).toEqual(
      t.changes.map((c: { op: string; target: string }) => `${c.op} ${c.target}`),
    );
    expect(again).toMatchObject({ result: true, changes: [] });
    expect(readFileSync(join(s.root, 'etc/sysctl.d/60-brine.conf'), 'utf8')).toBe(
      'kernel.domainname = brine-test.example\n',
    );
    // this process's namespace was not touched
    expect(readFileSync('/proc/sys/kernel/domainname', 'utf8').trim()).not.toBe('brine-test.example');
  });
});

describe("Salt's source rules and file.recurse file_mode: keep", () => {
  it('a source list tries each entry in order; an absolute source is a file on the target', async () => {
    const s = scratch({
      'top.sls': top('src'),
      'src.sls': `/etc/first:
  file.managed:
    - source:
      - salt://missing/one.conf
      - salt://files/present.conf
      - salt://files/never.conf

/etc/from-target:
  file.managed:
    - source: /srv/on-target.conf

/etc/target-list:
  file.managed:
    - source:
      - /srv/absent.conf
      - file:///srv/on-target.conf

/etc/none:
  file.managed:
    - source:
      - salt://missing/a
      - /srv/absent.conf

/opt/tree:
  file.recurse:
    - source: salt://tree
    - file_mode: keep
    - sym_mode: '0777'
`,
      'files/present.conf': 'present\n',
      'files/never.conf': 'never\n',
      'tree/run.sh': '#!/bin/sh\n',
      'tree/data.txt': 'data\n',
    });
    execFileSync('chmod', ['0750', join(s.states, 'tree/run.sh')]);
    execFileSync('chmod', ['0604', join(s.states, 'tree/data.txt')]);
    mkdirSync(join(s.root, 'srv'), { recursive: true });
    mkdirSync(join(s.root, 'etc'), { recursive: true });
    writeFileSync(join(s.root, 'srv/on-target.conf'), 'on the target\n');
    const r = await highstate(s);
    expect(r.code).toBe(1);
    expect(readFileSync(join(s.root, 'etc/first'), 'utf8')).toBe('present\n');
    expect(readFileSync(join(s.root, 'etc/from-target'), 'utf8')).toBe('on the target\n');
    expect(readFileSync(join(s.root, 'etc/target-list'), 'utf8')).toBe('on the target\n');
    expect(byId(r.results, '/etc/none')).toMatchObject({
      result: false,
      comment: '/etc/none: source not found: salt://missing/a, /srv/absent.conf',
    });
    expect(statSync(join(s.root, 'opt/tree/run.sh')).mode & 0o7777).toBe(0o750);
    expect(statSync(join(s.root, 'opt/tree/data.txt')).mode & 0o7777).toBe(0o604);
    expect(byId(r.results, '/opt/tree').warnings).toEqual([
      'sym_mode has no effect: Linux ignores the mode of a symlink',
    ]);
    const again = await highstate(s);
    expect(
      again.results.filter((x) => x.id !== '/etc/none').every((x) => x.result === true && x.changes.length === 0),
    ).toBe(true);
  });
});

describe('file.accumulated', () => {
  it("feeds the linked file.managed template's accumulator; dry run shows the rendered diff", async () => {
    const s = scratch({
      'top.sls': top('acc'),
      'acc.sls': `/etc/hosts.allow:
  file.managed:
    - source: salt://hosts.allow.j2
    - template: jinja

allow-ssh:
  file.accumulated:
    - name: allowed
    - filename: /etc/hosts.allow
    - text: 'sshd: 10.0.0.0/8'
    - require_in:
      - file: /etc/hosts.allow

allow-more:
  file.accumulated:
    - name: allowed
    - filename: /etc/hosts.allow
    - text:
      - 'smtpd: ALL'
      - 'imapd: 192.168.0.0/16'
    - require_in:
      - file: /etc/hosts.allow

stray:
  file.accumulated:
    - filename: /etc/other
    - text: unused
`,
      'hosts.allow.j2': "# managed\n{% for line in accumulator['allowed'] %}{{ line }}\n{% endfor %}",
    });
    mkdirSync(join(s.root, 'etc'), { recursive: true });
    const t = await highstate(s, '--test');
    expect(byId(t.results, '/etc/hosts.allow').changes[0]!.diff).toContain(
      '+sshd: 10.0.0.0/8\n+smtpd: ALL\n+imapd: 192.168.0.0/16',
    );
    expect(byId(t.results, 'stray').warnings).toEqual([
      'no file state for /etc/other is linked to this one (require_in or watch_in it): the text is not used',
    ]);
    const r = await highstate(s);
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'etc/hosts.allow'), 'utf8')).toBe(
      '# managed\nsshd: 10.0.0.0/8\nsmtpd: ALL\nimapd: 192.168.0.0/16\n',
    );
    expect(byId(r.results, 'allow-ssh')).toMatchObject({
      result: true,
      comment: 'Accumulator allowed for file /etc/hosts.allow was charged by text',
    });
    const again = await highstate(s);
    expect(byId(again.results, '/etc/hosts.allow').changes).toEqual([]);
  });
});

describe('ssh_known_hosts with a given key under --root', () => {
  it('writes a plain or hashed entry to config; second run no change; absent removes it', async () => {
    const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIBrineTestKeyOneAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const s = scratch({
      'top.sls': top('kh'),
      'kh.sls': `git.example.org:
  ssh_known_hosts.present:
    - config: /etc/ssh/ssh_known_hosts
    - enc: ssh-ed25519
    - key: ${KEY}
    - hash_known_hosts: False

hashed.example.org:
  ssh_known_hosts.present:
    - config: /etc/ssh/ssh_known_hosts
    - enc: ssh-ed25519
    - key: ${KEY}
    - port: 2222
`,
    });
    mkdirSync(join(s.root, 'etc'), { recursive: true });
    const r = await highstate(s);
    expect(r.code).toBe(0);
    const text = readFileSync(join(s.root, 'etc/ssh/ssh_known_hosts'), 'utf8');
    expect(text).toMatch(new RegExp(`^git\\.example\\.org ssh-ed25519 ${KEY}\\n\\|1\\|[^ ]+ ssh-ed25519 ${KEY}\\n$`));
    const again = await highstate(s);
    expect(again.results.map((x) => x.changes.length)).toEqual([0, 0]);
    s.write(
      'states/kh.sls',
      'hashed.example.org:\n  ssh_known_hosts.absent:\n    - config: /etc/ssh/ssh_known_hosts\n    - port: 2222\n',
    );
    const gone = await highstate(s);
    expect(gone.code).toBe(0);
    expect(readFileSync(join(s.root, 'etc/ssh/ssh_known_hosts'), 'utf8')).toBe(`git.example.org ssh-ed25519 ${KEY}\n`);
  });
});
