// Salt's `test=True` word on brine's command line (`salt-call state.highstate test=True`), through
// the built CLI under a scratch --root: it is --test on highstate, sls and push (nothing changes,
// exit 2 when changes are pending); test=False applies; any other key=value word is one line naming
// its key, exit 3, nothing changed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, cleanScratch, scratch, treeHash } from './tree.js';

beforeAll(build, 120_000);
afterAll(cleanScratch);

const TOP = "base:\n  '*':\n    - greet\n";
const GREET = `
shown:
  file.managed:
    - name: /srv/greet/shown.conf
    - makedirs: true
    - contents: "text={{ pillar.get('text', 'plain') }}"
`;
const tree = () => scratch({ 'top.sls': TOP, 'greet.sls': GREET });

describe('brine ... test=True', () => {
  it('is the dry run on highstate and sls, with pillar= beside it; nothing changes (exit 2)', async () => {
    const s = tree();
    const before = treeHash(s.root);
    for (const word of ['test=True', 'test=true', 'test=1']) {
      const r = await brine(s, ['highstate', '-q', word]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toContain('+text=plain');
    }
    const sls = await brine(s, ['sls', 'greet', 'test=True', 'pillar={"text": "cli"}', '-q']);
    expect(sls.code, sls.stderr).toBe(2);
    expect(sls.stdout).toContain('+text=cli');
    expect(treeHash(s.root)).toBe(before);
  });

  it('test=False applies (exit 0); with --test it is refused (exit 3)', async () => {
    const s = tree();
    const both = await brine(s, ['highstate', '--test', 'test=False']);
    expect(both.code).toBe(3);
    expect(both.stderr).toBe('brine: test=False contradicts --test: give one of them');
    expect(existsSync(join(s.root, 'srv/greet/shown.conf'))).toBe(false);
    const r = await brine(s, ['highstate', '-q', 'test=False']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(s.root, 'srv/greet/shown.conf'))).toBe(true);
  });

  it('another key=value word, a bad test= value, test= on apply: one line, exit 3, nothing changed', async () => {
    const s = tree();
    const before = treeHash(s.root);
    const cases: Array<[string[], string]> = [
      [
        ['highstate', 'saltenv=base'],
        "brine: unknown argument 'saltenv=' (of Salt's key=value words brine takes pillar= and test=)",
      ],
      [['sls', 'greet', 'queue=True'], "brine: unknown argument 'queue='"],
      [['highstate', 'test=maybe'], 'brine: test=maybe: expected test=True or test=False'],
      [['apply', join(s.dir, 'none.plan'), 'test=True'], 'brine: test=: this command has no dry run'],
      [['show', 'lowstate', 'test=True'], 'brine: test=: this command has no dry run'],
    ];
    for (const [args, line] of cases) {
      const r = await brine(s, args);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith(line), r.stderr).toBe(true);
    }
    expect(treeHash(s.root)).toBe(before);
  });

  it('push: test=True is --test (--plan-out is taken), an unknown word is refused before connecting', async () => {
    const s = tree();
    const dirs = ['--states', s.states, '--pillar', s.pillar, '--env', s.env];
    const target = ['root@127.0.0.1:1', '--connect-timeout', '2', '-q'];
    const noTest = await brine(s, ['push', ...target, '--plan-out', join(s.dir, 'p.json')], dirs);
    expect(noTest.code).toBe(3);
    expect(noTest.stderr).toContain('--plan-out needs --test');
    // with test=True the options pass and the push goes on to the (closed) port: unreachable, exit 1
    const dry = await brine(s, ['push', ...target, 'test=True', '--plan-out', join(s.dir, 'p.json')], dirs);
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stderr).not.toContain('--plan-out needs --test');
    const bad = await brine(s, ['push', ...target, 'saltenv=base'], dirs);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe(
      "brine: unknown argument 'saltenv=' (of Salt's key=value words brine takes pillar= and test=)",
    );
  });
});
