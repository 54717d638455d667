// `brine push ... pillar='{...}'` against a light SSH target (test/harness/light-target.ts): the
// override wins over the host's inventory vars, its secret-named value reaches the host and never
// the output, and a push plan made with it is refused (exit 4) when applied without it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brinePush } from './brine-push.js';
import { build } from '../cli/tree.js';
import { startFleet, type Fleet } from '../../harness/light-target.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const SECRET = 'Push-0verride-Secret-4471';
const OVERRIDE = `pillar={"greet": {"text": "from-cli", "api_token": "${SECRET}"}}`;

describe("brine push pillar='{...}'", () => {
  let fleet: Fleet;
  const dir = mkdtempSync(join(tmpdir(), 'brine-push-override-'));
  const inv = join(dir, 'inventory.yml');
  const plan = join(dir, 'plan.json');

  const push = (args: string[]) =>
    brinePush(args, {
      knownHosts: fleet.knownHostsPath,
      key: fleet.keyPath,
      states: join(dir, 'states'),
      pillar: join(dir, 'pillar'),
      env: join(dir, 'env.yml'),
      inventory: inv,
    });

  beforeAll(async () => {
    await build();
    fleet = await startFleet(1);
    for (const d of ['states', 'pillar']) mkdirSync(join(dir, d));
    writeFileSync(join(dir, 'states/top.sls'), "base:\n  '*':\n    - greet\n");
    writeFileSync(
      join(dir, 'states/greet.sls'),
      `/srv/greet.conf:
  file.managed:
    - contents: "text={{ pillar['greet']['text'] }} keep={{ pillar['greet']['keep'] }}"
/srv/token.conf:
  file.managed:
    - mode: '0600'
    - contents: "token={{ pillar['greet'].get('api_token', 'unset') }}"
`,
    );
    writeFileSync(join(dir, 'pillar/top.sls'), 'base: {}\n');
    copyFileSync(join(REPO, 'pillar/default-env.yml'), join(dir, 'env.yml'));
    const t = fleet.targets[0]!;
    writeFileSync(
      inv,
      `hosts:\n  h1: { address: ${t.host}, user: root, vars: { greet: { text: from-inventory, keep: kept } } }\n`,
    );
  }, 300_000);

  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('wins over inventory vars; the secret is applied, never printed; a plan holds to it', async () => {
    const dry = await push(['h1', '--test', '-q', OVERRIDE]);
    expect(dry.code, dry.stderr).toBe(2);
    expect(dry.stdout).toContain('+text=from-cli keep=kept');
    expect(dry.stdout + dry.stderr).not.toContain(SECRET);
    for (const out of ['json', 'markdown']) {
      const r = await push(['h1', '--test', '-q', '--out', out, OVERRIDE]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }

    const made = await push(['h1', '--test', '-q', '--plan-out', plan, OVERRIDE]);
    expect(made.code, made.stderr).toBe(2);
    expect(readFileSync(plan, 'utf8')).not.toContain(SECRET);
    const refused = await push(['--plan', plan, '-q']);
    expect(refused.code).toBe(4);
    expect(refused.stdout + refused.stderr).toContain('the plan was made with a pillar override');
    expect((await fleet.targets[0]!.ssh('test -e /srv/greet.conf')).exitCode).toBe(1);

    const applied = await push(['--plan', plan, '-q', OVERRIDE]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout + applied.stderr).not.toContain(SECRET);
    const t = fleet.targets[0]!;
    expect((await t.ssh('cat /srv/greet.conf')).stdout).toBe('text=from-cli keep=kept');
    expect((await t.ssh('cat /srv/token.conf')).stdout).toBe(`token=${SECRET}`);
  }, 600_000);
});
