// Salt's pillar override on brine's command line (`pillar='{...}'`, --pillar-override) through the
// built CLI, applied for real under a scratch --root: the override wins in templates and in
// `show pillar`, bad input is one line and exit 3 with nothing changed, a secret given this way
// never prints, and a saved plan holds to the override it was made with.
import { readFileSync } from 'node:fs';
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
    - contents: "text={{ pillar['greet']['text'] }} keep={{ pillar['greet']['keep'] }}"

hidden:
  file.managed:
    - name: /srv/greet/hidden.conf
    - makedirs: true
    - contents: "pw={{ pillar['greet'].get('db_password', 'unset') }}"
    - mode: '0600'
`;
const PILLAR = { 'top.sls': "base:\n  '*':\n    - greet\n", 'greet.sls': 'greet:\n  text: from-tree\n  keep: kept\n' };
const SECRET = 'Cli-0verride-Secret-9731';
const OVERRIDE = `pillar={"greet": {"text": "from-cli", "db_password": "${SECRET}"}}`;
const tree = () => scratch({ 'top.sls': TOP, 'greet.sls': GREET }, PILLAR);

describe("brine pillar='{...}'", () => {
  it('wins over the pillar in templates (highstate --test, sls) and in show pillar; the rest is kept', async () => {
    const s = tree();
    const dry = await brine(s, ['highstate', '--test', '-q', OVERRIDE]);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain('+text=from-cli keep=kept');
    expect(dry.stdout).not.toContain('from-tree');

    const opt = await brine(s, ['sls', 'greet', '--test', '-q', '--pillar-override', '{greet: {text: opt-value}}']);
    expect(opt.code).toBe(2);
    expect(opt.stdout).toContain('+text=opt-value keep=kept');

    const plain = await brine(s, ['highstate', '--test', '-q']);
    expect(plain.stdout).toContain('+text=from-tree keep=kept');

    const show = await brine(s, ['show', 'pillar', OVERRIDE]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/greet:\n {2}text: from-cli\n {2}keep: kept\n {2}db_password: <redacted>\n/);
  });

  it("selects by it in the top file's pillar matches, as Salt users enable a role", async () => {
    const top = `${TOP}  'role:enabled:true':\n    - match: pillar\n    - role\n`;
    const s = scratch({ 'top.sls': top, 'greet.sls': GREET, 'role.sls': 'role-note:\n  test.nop: []\n' }, PILLAR);
    const off = await brine(s, ['show', 'top', '--id', 'm1']);
    expect(off.stdout).toBe('m1:\n  - greet');
    const on = await brine(s, ['show', 'top', '--id', 'm1', 'pillar={"role": {"enabled": true}}']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toBe('m1:\n  - greet\n  - role');
  });

  it('refuses an unparsable override or one that is not a mapping: one line, exit 3, nothing changed', async () => {
    const s = tree();
    const before = treeHash(s.root);
    const bad = await brine(s, ['highstate', `pillar={"greet": {"db_password": "${SECRET}"`]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^brine: pillar=: invalid YAML: .* at line 1, column \d+$/);
    expect(bad.stderr).not.toContain(SECRET);
    const list = await brine(s, ['sls', 'greet', '--pillar-override', '[1, 2]']);
    expect(list.code).toBe(3);
    expect(list.stderr).toBe(
      `brine: --pillar-override: the pillar override must be a mapping like '{"key": "value"}', got a list`,
    );
    expect(treeHash(s.root)).toBe(before);
  });

  it('never prints a secret-named override value, in any --out format, dry or real', async () => {
    const s = tree();
    for (const out of ['highstate', 'json', 'markdown']) {
      const dry = await brine(s, ['highstate', '--test', '-q', '--out', out, OVERRIDE]);
      expect(dry.code, `${out}: ${dry.stderr}`).toBe(2);
      expect(dry.stdout + dry.stderr).not.toContain(SECRET);
    }
    for (const out of ['yaml', 'json']) {
      for (const what of ['pillar', 'highstate', 'lowstate']) {
        const show = await brine(s, ['show', what, '--out', out, OVERRIDE]);
        expect(show.code).toBe(0);
        expect(show.stdout + show.stderr).not.toContain(SECRET);
      }
    }
    const real = await brine(s, ['highstate', '-q', '--out', 'json', OVERRIDE]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout + real.stderr).not.toContain(SECRET);
    // the secret did reach the file: the override was applied, only its printing is hidden
    expect(readFileSync(join(s.root, 'srv/greet/hidden.conf'), 'utf8')).toBe(`pw=${SECRET}\n`);
  });

  it('a saved plan holds to its override: apply without it or with another is refused (exit 4)', async () => {
    const s = tree();
    const plan = join(s.dir, 'plan.json');
    const made = await brine(s, ['highstate', '--test', '-q', '--plan-out', plan, OVERRIDE]);
    expect(made.code, made.stderr).toBe(2);
    expect(readFileSync(plan, 'utf8')).not.toContain(SECRET);
    const before = treeHash(s.root);

    const none = await brine(s, ['apply', plan, '-q']);
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('the plan was made with a pillar override');
    const other = await brine(s, ['apply', plan, '-q', 'pillar={"greet": {"text": "other"}}']);
    expect(other.code).toBe(4);
    expect(other.stderr).toContain('the pillar override is not the one the plan was made with');
    expect(treeHash(s.root)).toBe(before);

    const same = await brine(s, ['apply', plan, '-q', OVERRIDE]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout + same.stderr).not.toContain(SECRET);
    expect(readFileSync(join(s.root, 'srv/greet/shown.conf'), 'utf8')).toBe('text=from-cli keep=kept\n');
  });
});
