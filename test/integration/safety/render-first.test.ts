// Compile before apply: every file.managed and cmd.script source and template is read and rendered before the
// first state changes the host; the dry run fails where the real run would fail.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, cleanScratch, scratch, treeHash } from '../cli/tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

const TOP = "base:\n  '*':\n    - app\n";
const FIRST = `
first:
  file.managed:
    - name: /srv/first
    - makedirs: true
    - contents: first
`;

describe('everything renders before the first change', () => {
  it('a broken template in a later state: exit 3, names the template and the state, nothing changed', async () => {
    const s = scratch({
      'top.sls': TOP,
      'app.sls': `${FIRST}
broken:
  file.managed:
    - name: /srv/broken.conf
    - source: salt://app/broken.conf.j2
    - template: jinja
`,
      'app/broken.conf.j2': 'line one\nvalue={{ pillar.get( }}\n',
    });
    const before = treeHash(s.root);
    for (const args of [['highstate'], ['highstate', '--test']]) {
      const r = await brine(s, args);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^brine: app\/broken\.conf\.j2:2: .*\(rendering file\.managed: broken at app\.sls:9\)$/);
      expect(r.stderr).not.toContain('    at ');
      expect(treeHash(s.root)).toBe(before);
    }
    expect(existsSync(join(s.root, 'srv/first'))).toBe(false);
  });

  it('a cmd.script whose template is broken: exit 3 before the first change, the script never runs', async () => {
    const s = scratch({
      'top.sls': TOP,
      'app.sls': `${FIRST}
script:
  cmd.script:
    - source: salt://app/run.sh.j2
    - template: jinja
`,
      'app/run.sh.j2': '#!/bin/sh\ntouch /tmp/brine-script-ran-{{ pillar.get( }}\n',
    });
    const before = treeHash(s.root);
    for (const args of [['highstate'], ['highstate', '--test']]) {
      const r = await brine(s, args);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^brine: app\/run\.sh\.j2:2: .*\(rendering cmd\.script: script at app\.sls:9\)$/);
      expect(treeHash(s.root)).toBe(before);
    }
    expect(existsSync(join(s.root, 'srv/first'))).toBe(false);
  });

  it(
    'a missing salt:// source: exit 3 naming the state file:line, nothing changed; in a source list the first ' +
      'existing wins',
    async () => {
      const s = scratch({
        'top.sls': TOP,
        'app.sls': `${FIRST}
listed:
  file.managed:
    - name: /srv/listed
    - makedirs: true
    - source:
      - salt://app/nope
      - salt://app/there
missing:
  file.managed:
    - name: /srv/missing
    - makedirs: true
    - source: salt://app/absent.conf
`,
        'app/there': 'the second source\n',
      });
      const before = treeHash(s.root);
      const r = await brine(s, ['highstate']);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('brine: app.sls:16: file.managed: missing: source not found: salt://app/absent.conf');
      expect(treeHash(s.root)).toBe(before);

      s.write('states/app/absent.conf', 'now here\n');
      const ok = await brine(s, ['highstate']);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(readFileSync(join(s.root, 'srv/listed'), 'utf8')).toBe('the second source\n');
      expect(readFileSync(join(s.root, 'srv/missing'), 'utf8')).toBe('now here\n');
    },
  );

  it(
    'the template renders with its defaults and context, once, and the dry run shows the same contents the real ' +
      'run writes',
    async () => {
      const s = scratch({
        'top.sls': TOP,
        'app.sls': `
conf:
  file.managed:
    - name: /srv/app.conf
    - makedirs: true
    - source: salt://app/app.conf.j2
    - template: jinja
    - defaults: { port: 80, host: a }
    - context: { port: 8080 }
`,
        'app/app.conf.j2': 'listen {{ host }}:{{ port }}\n',
      });
      const dry = await brine(s, ['highstate', '--test']);
      expect(dry.code).toBe(2);
      expect(dry.stdout).toContain('+listen a:8080');
      const real = await brine(s, ['highstate']);
      expect(real.code).toBe(0);
      expect(readFileSync(join(s.root, 'srv/app.conf'), 'utf8')).toBe('listen a:8080\n');
    },
  );
});

describe('the dry run fails where the real run fails', () => {
  it(
    'file.managed with a user nothing creates: the dry run fails (exit 1), even after a pending upstream ' + 'state',
    async () => {
      const s = scratch({
        'top.sls': TOP,
        'app.sls': `${FIRST}
owned:
  file.managed:
    - name: /srv/owned
    - contents: x
    - user: brine-nosuchuser
    - require:
      - file: first
`,
      });
      const before = treeHash(s.root);
      const dry = await brine(s, ['highstate', '--test']);
      expect(dry.code).toBe(1);
      expect(dry.stdout).toMatch(/ID: owned[\s\S]*Result: False[\s\S]*user 'brine-nosuchuser' does not exist/);
      expect(dry.stdout).not.toContain('would change after');
      expect(treeHash(s.root)).toBe(before);
      const real = await brine(s, ['highstate']);
      expect(real.code).toBe(1);
      expect(real.stdout).toMatch(/ID: owned[\s\S]*Result: False[\s\S]*user 'brine-nosuchuser' does not exist/);
      expect(existsSync(join(s.root, 'srv/owned'))).toBe(false);
    },
  );

  it('a user that a pending user.present creates is deferred, and the file still shows its diff', async () => {
    const s = scratch({
      'top.sls': TOP,
      'app.sls': `
brine-future:
  user.present: []
owned:
  file.managed:
    - name: /srv/owned
    - makedirs: true
    - contents: hello
    - user: brine-future
    - require:
      - user: brine-future
`,
    });
    const dry = await brine(s, ['highstate', '--test']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(2);
    expect(dry.stdout).toMatch(
      /ID: owned[\s\S]*Result: None[\s\S]*would change \(1\) after user: brine-future[\s\S]*\+hello/,
    );
  });
});
