// Saved plans on this machine, through the built CLI under a scratch --root: a plan then
// `brine apply` applies exactly the plan ("as planned"); a file edited on the target or an SLS
// edited after review makes the apply refuse (exit 4) and change nothing, naming the state with
// the planned and the current change; a plan for another host is refused; the plan file holds
// none of the env's secrets, not even a plain sha256 of a file that holds one.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, cleanScratch, scratch, treeHash } from '../cli/tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

const TOP = "base:\n  '*':\n    - web\n";
const WEB = `
site-dir:
  file.directory:
    - name: /srv/site
    - makedirs: true
index:
  file.managed:
    - name: /srv/site/index.html
    - contents: "hello {{ grains['os_family'] }}"
    - require:
      - file: site-dir
conf:
  file.managed:
    - name: /srv/site/site.conf
    - contents: "password={{ pillar['app']['db_password'] }}"
    - mode: '0600'
    - require:
      - file: site-dir
dkim:
  file.managed:
    - name: /srv/site/dkim.key
    - contents_pillar: appliance:dkim:key
    - mode: '0600'
    - require:
      - file: site-dir
reload:
  cmd.run:
    - name: touch "$BRINE_ROOT/srv/site/reloaded"
    - onchanges:
      - file: index
`;

const password = () => `pw-${randomBytes(12).toString('hex')}`;
const pillarOf = (pw: string) => ({
  'top.sls': "base:\n  '*':\n    - app\n",
  'app.sls': `app:\n  db_password: ${pw}\n`,
});
const ID = ['--id', 'plan-host'];
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('brine apply FILE', () => {
  it('applies exactly the plan and says "as planned"; a second dry run has nothing left', async () => {
    const s = scratch({ 'top.sls': TOP, 'web.sls': WEB }, pillarOf(password()));
    const plan = join(s.dir, 'plan.json');
    const dry = await brine(s, ['highstate', '--test', '--plan-out', plan, ...ID]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain(`plan written to ${plan}: 5 of 5 state(s) would change`);
    const p = JSON.parse(readFileSync(plan, 'utf8'));
    expect(p).toMatchObject({
      kind: 'brine-plan',
      version: 1,
      command: 'highstate',
      options: { aggregate: true, concurrency: 1 },
    });
    expect(p.hosts).toHaveLength(1);
    expect(p.hosts[0]).toMatchObject({ host: 'plan-host', root: s.root, summary: { total: 5, pending: 5, failed: 0 } });
    const index = p.hosts[0].states.find((x: { id: string }) => x.id === 'index');
    expect(index.changes[0]).toMatchObject({
      op: 'create',
      target: '/srv/site/index.html',
      after: sha256('hello Debian\n'),
    });
    expect(Object.keys(index.digests).sort()).toEqual(['args', 'changes', 'contents', 'facts', 'outcome']);

    const r = await brine(s, ['apply', plan, ...ID]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/as planned: plan [0-9a-f]{12} applied \(5 state\(s\) changed, 5 checked\)/);
    expect(readFileSync(join(s.root, 'srv/site/index.html'), 'utf8')).toBe('hello Debian\n');
    expect(readFileSync(join(s.root, 'srv/site/reloaded'), 'utf8')).toBe('');
    // exactly the plan: every state's applied changes are the planned ones
    const again = await brine(s, ['highstate', '--test', '--out', 'json', ...ID]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).summary.pending).toBe(0);

    // applied once: a second apply of the same plan no longer matches (nothing is left to do)
    const twice = await brine(s, ['apply', plan, ...ID]);
    expect(twice.code).toBe(4);
    expect(twice.stderr).toContain('the plan no longer matches: 5 state(s) differ; nothing was changed');
  });

  it('brine sls NAME --test --plan-out: the plan keeps the SLS names, the apply applies only them', async () => {
    const s = scratch(
      {
        'top.sls': TOP,
        'web.sls': WEB,
        'other.sls': 'o:\n  file.managed:\n    - name: /srv/other\n    - makedirs: true\n    - contents: o\n',
      },
      pillarOf(password()),
    );
    const plan = join(s.dir, 'plan.json');
    expect((await brine(s, ['sls', 'other', '--test', '--plan-out', plan, ...ID])).code).toBe(2);
    expect(JSON.parse(readFileSync(plan, 'utf8'))).toMatchObject({ command: 'sls', sls: ['other'] });
    const r = await brine(s, ['apply', plan, ...ID]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('as planned');
    expect(readFileSync(join(s.root, 'srv/other'), 'utf8')).toBe('o\n');
    expect(() => readFileSync(join(s.root, 'srv/site/index.html'))).toThrow();
    // --plan-out is for dry runs only
    const bad = await brine(s, ['highstate', '--plan-out', plan, ...ID]);
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toBe(
      'brine: --plan-out needs --test: a plan is a dry run (apply it with `brine apply FILE`)',
    );
  });

  it(
    'a state whose requisite brings its file first (a package and its default config) still applies as ' + 'planned',
    async () => {
      const sls = `
pkg-like:
  cmd.run:
    - name: mkdir -p "$BRINE_ROOT/etc/app" && echo default > "$BRINE_ROOT/etc/app/app.conf"
    - creates: /etc/app/app.conf
config:
  file.managed:
    - name: /etc/app/app.conf
    - makedirs: true
    - contents: configured
    - require:
      - cmd: pkg-like
`;
      const s = scratch({ 'top.sls': "base:\n  '*':\n    - app\n", 'app.sls': sls }, pillarOf(password()));
      const plan = join(s.dir, 'plan.json');
      expect((await brine(s, ['highstate', '--test', '--plan-out', plan, ...ID])).code).toBe(2);
      const config = JSON.parse(readFileSync(plan, 'utf8')).hosts[0].states.find(
        (x: { id: string }) => x.id === 'config',
      );
      expect(config.changes[0]).toMatchObject({ op: 'create', target: '/etc/app/app.conf' });
      // at apply time the requisite has just written a default file: "update", not "create", same outcome
      const r = await brine(s, ['apply', plan, ...ID]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/update \/etc\/app\/app\.conf: [0-9a-f]{64} -> [0-9a-f]{64}/);
      expect(r.stdout).toContain('as planned');
      expect(readFileSync(join(s.root, 'etc/app/app.conf'), 'utf8')).toBe('configured\n');
    },
  );

  it('refuses (exit 4) and changes nothing when a file on the target changed after the plan', async () => {
    const s = scratch({ 'top.sls': TOP, 'web.sls': WEB }, pillarOf(password()));
    const plan = join(s.dir, 'plan.json');
    expect((await brine(s, ['highstate', ...ID])).code).toBe(0);
    writeFileSync(join(s.root, 'srv/site/index.html'), 'reviewed state\n');
    expect((await brine(s, ['highstate', '--test', '--plan-out', plan, ...ID])).code).toBe(2);
    writeFileSync(join(s.root, 'srv/site/index.html'), 'edited after review\n');
    const before = treeHash(s.root);
    const r = await brine(s, ['apply', plan, ...ID]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the plan no longer matches: 1 state(s) differ; nothing was changed');
    // the state, why, and both sides
    expect(r.stdout).toContain('--- file.managed: index (web, web.sls:7): changes, facts read');
    expect(r.stdout).toMatch(/planned +\| now/);
    expect(r.stdout).toContain(`update /srv/site/index.html: ${sha256('reviewed state\n').slice(0, 12)}...`);
    expect(r.stdout).toContain(`| update /srv/site/index.html: ${sha256('edited after review\n').slice(0, 12)}...`);
    expect(r.stdout).toContain('-reviewed state');
    expect(r.stdout).toContain('-edited after review');
    expect(treeHash(s.root)).toBe(before);

    const md = await brine(s, ['apply', plan, '--out', 'markdown', ...ID]);
    expect(md.code).toBe(4);
    expect(md.stdout).toContain('| planned | now |');
    const js = JSON.parse((await brine(s, ['apply', plan, '--out', 'json', ...ID])).stdout);
    expect(js.status).toBe('not as planned');
    expect(js.hosts[0].differences.map((d: { state: string }) => d.state)).toEqual(['file.managed: index']);
    expect(treeHash(s.root)).toBe(before);
  });

  it('refuses when the SLS changed after the plan, even where the change would be the same', async () => {
    const s = scratch({ 'top.sls': TOP, 'web.sls': WEB }, pillarOf(password()));
    const plan = join(s.dir, 'plan.json');
    expect((await brine(s, ['highstate', '--test', '--plan-out', plan, ...ID])).code).toBe(2);
    // one state's content changes; another state gains an argument that changes nothing on disk
    s.write(
      'states/web.sls',
      WEB.replace('hello {{', 'hi {{').replace('- name: /srv/site\n', '- name: /srv/site\n    - order: 1\n'),
    );
    const before = treeHash(s.root);
    const r = await brine(s, ['apply', plan, ...ID]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('--- file.managed: index (web, web.sls:8): changes, arguments');
    expect(r.stdout).toContain('--- file.directory: site-dir (web, web.sls:3): arguments');
    expect(r.stdout).toContain('+hello Debian');
    expect(r.stdout).toContain('+hi Debian');
    expect(treeHash(s.root)).toBe(before);
  });

  it('refuses a plan for another host or another root, changing nothing', async () => {
    const s = scratch({ 'top.sls': TOP, 'web.sls': WEB }, pillarOf(password()));
    const plan = join(s.dir, 'plan.json');
    expect((await brine(s, ['highstate', '--test', '--plan-out', plan, ...ID])).code).toBe(2);
    const before = treeHash(s.root);
    const r = await brine(s, ['apply', plan, '--id', 'other-host']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("the plan is for host 'plan-host', this is 'other-host'; nothing was changed");
    expect(treeHash(s.root)).toBe(before);
    const other = scratch({ 'top.sls': TOP, 'web.sls': WEB }, pillarOf(password()));
    const r2 = await brine(other, ['apply', plan, ...ID]);
    expect(r2.code).toBe(4);
    expect(r2.stderr).toContain(`the plan is for root '${s.root}'`);
    // not a plan at all: exit 3, one line
    writeFileSync(join(s.dir, 'bad.json'), '{"kind":"brine-plan","version":7}');
    const bad = await brine(s, ['apply', join(s.dir, 'bad.json'), ...ID]);
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toBe(
      `brine: ${join(s.dir, 'bad.json')}: plan version 7 is not supported (this brine reads version 1)`,
    );
  });

  it(
    'the plan file holds no secret of the env or the pillar, nor a plain sha256 of a file that holds ' + 'one',
    async () => {
      const pw = password();
      const s = scratch({ 'top.sls': TOP, 'web.sls': WEB }, pillarOf(pw));
      const plan = join(s.dir, 'plan.json');
      expect((await brine(s, ['highstate', '--test', '--plan-out', plan, ...ID])).code).toBe(2);
      const text = readFileSync(plan, 'utf8');
      const env = parse(readFileSync(s.env, 'utf8'));
      const key: string = env.appliance.dkim.key;
      const secrets = [
        pw,
        ...key
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.length >= 16 && !l.startsWith('-----')),
      ];
      expect(secrets.length).toBeGreaterThan(10);
      for (const x of secrets) expect(text).not.toContain(x);
      expect(text).not.toContain(Buffer.from(pw).toString('base64'));
      // what a guesser would compute: the plain sha256 of the secret files' contents
      for (const content of [`password=${pw}\n`, key, `${key}\n`]) expect(text).not.toContain(sha256(content));
      const conf = JSON.parse(text).hosts[0].states.find((x: { id: string }) => x.id === 'conf');
      expect(conf.changes[0].after).toMatch(/^hmac:[0-9a-f]{64}$/);
      expect(conf.changes[0].diff).toContain('content not shown: the file holds a secret');
    },
  );
});
