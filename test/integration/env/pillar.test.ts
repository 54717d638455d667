// loadPillar: the pillar tree (top.sls matched, files rendered with grains, includes) merged
// with the env that applies, and the secrets of the result.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPillar } from '../../../engine/env/pillar.js';
import { EnvError } from '../../../engine/errors.js';
import { LocalHost } from '../../../engine/host/local.js';
import { Redactor } from '../../../engine/redact.js';

const NO_CLOUD = { BRINE_EC2_METADATA_URL: 'http://127.0.0.1:1', BRINE_GCE_METADATA_URL: 'http://127.0.0.1:1' };
const grains = { os: 'Debian', osmajorrelease: 12, id: 'ecs1' };

describe('loadPillar', () => {
  let dir: string;
  let pillarDir: string;
  let root: string;
  let host: LocalHost;
  const write = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'brine-pillar-'));
    pillarDir = join(dir, 'pillar');
    root = join(dir, 'root');
    mkdirSync(root);
    host = new LocalHost({ root });
    write('pillar/top.sls', "base:\n  '*':\n    - common\n    - site\n  'other*':\n    - never\n");
    write(
      'pillar/common.sls',
      'include:\n  - common.extra\ntimezone: Europe/Vienna\nlist: [a, b, c]\nappliance:\n  metric:\n    exporter: ' +
        'false\n    gui: false\n',
    );
    write('pillar/common/extra.sls', 'from_include: yes-included\n');
    write('pillar/site.sls', "os_line: \"{{ grains['os'] }} {{ grains['osmajorrelease'] }}\"\nlist: [z]\n");
    write('pillar/never.sls', 'never: true\n');
    write('pillar/default-env.yml', readFileSync(resolve('pillar/default-env.yml'), 'utf8'));
    write(
      'env.yml',
      '#cloud-config\nappliance:\n  domain: ecs.example.org\n  metric:\n    exporter: true\n  backup:\n    url: ' +
        "sftp://backup:s3cret-pass@host/path\necs:\n  settings: |\n    SECRET_KEY = 'abcdefghijklmnop-secret'\n",
    );
  });
  afterAll(async () => {
    await host?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('merges the pillar tree in top order with the env on top (maps merged, lists replaced)', async () => {
    const r = await loadPillar({
      pillarDir,
      envFile: join(dir, 'env.yml'),
      host,
      grains,
      minionId: 'ecs1',
      vars: NO_CLOUD,
    });
    expect(r.envSource).toBe(`file:${join(dir, 'env.yml')}`);
    expect(r.pillar).toMatchObject({
      timezone: 'Europe/Vienna',
      from_include: 'yes-included',
      os_line: 'Debian 12',
      list: ['z'],
      appliance: { domain: 'ecs.example.org', metric: { exporter: true, gui: false } },
    });
    expect(r.pillar).not.toHaveProperty('never');
    expect(r.secrets).toEqual(expect.arrayContaining(['s3cret-pass', 'abcdefghijklmnop-secret']));
    const red = new Redactor();
    for (const s of r.secrets) red.add(s);
    const shown = red.redact(JSON.stringify(r.pillar));
    expect(shown).not.toContain('s3cret-pass');
    expect(shown).not.toContain('abcdefghijklmnop-secret');
    expect(shown).toContain('ecs.example.org');
  });

  it("reads the host's env (here /app/env.yml under the host's root) when no --env is given", async () => {
    mkdirSync(join(root, 'app'), { recursive: true });
    writeFileSync(join(root, 'app/env.yml'), '#cloud-config\nappliance:\n  domain: from-app.example.org\n');
    try {
      const r = await loadPillar({ pillarDir, host, grains, minionId: 'ecs1', vars: NO_CLOUD });
      expect(r.envSource).toBe('/app/env.yml');
      expect(r.pillar).toMatchObject({ appliance: { domain: 'from-app.example.org' }, timezone: 'Europe/Vienna' });
      // the activated env wins over the sources
      mkdirSync(join(root, 'run'), { recursive: true });
      writeFileSync(join(root, 'run/active-env.yml'), '#cloud-config\nappliance:\n  domain: activated.example.org\n');
      const a = await loadPillar({ pillarDir, host, grains, minionId: 'ecs1', vars: NO_CLOUD });
      expect(a.envSource).toBe('/run/active-env.yml');
      expect(a.pillar).toMatchObject({ appliance: { domain: 'activated.example.org' } });
    } finally {
      rmSync(join(root, 'app'), { recursive: true, force: true });
      rmSync(join(root, 'run'), { recursive: true, force: true });
    }
  });

  it('a real run (no allowDefaultEnv) with no env source refuses: exit 3, saying how to create an env', async () => {
    const p = loadPillar({ pillarDir, host, grains, minionId: 'ecs1', vars: NO_CLOUD });
    await expect(p).rejects.toThrow(EnvError);
    await expect(p).rejects.toThrow(/no env found .*brine env create DOMAIN -o env\.yml.*--env env\.yml/);
  });

  it(
    'a dry run falls back to the default localhost env when no source has one, with a warning; its test secrets ' +
      'are secrets',
    async () => {
      const r = await loadPillar({ pillarDir, host, grains, minionId: 'ecs1', vars: NO_CLOUD, allowDefaultEnv: true });
      expect(r.envSource).toBeNull();
      expect(r.defaultEnvWarning).toMatch(/public default env .*default-env\.yml/);
      expect(r.pillar).toMatchObject({ appliance: { domain: 'localhost', ssl: { letsencrypt: { enabled: false } } } });
      expect(r.secrets.some((s) => s.startsWith('-----BEGIN PGP PRIVATE KEY BLOCK-----'))).toBe(true);
      expect(r.secrets.some((s) => s.startsWith('TEST-ONLY-secret-key'))).toBe(true);
    },
  );

  it('a bad env is an EnvError naming file:line and key; nothing else is read', async () => {
    write('bad.yml', 'appliance:\n  domain: ecs.example.org\n  update:\n    automatic: 3\n');
    const p = loadPillar({ pillarDir, envFile: join(dir, 'bad.yml'), host, grains, minionId: 'ecs1', vars: NO_CLOUD });
    await expect(p).rejects.toThrow(EnvError);
    await expect(p).rejects.toThrow(
      `${join(dir, 'bad.yml')}:4: appliance.update.automatic: expected boolean, got number 3`,
    );
  });

  it('the shipped pillar/ loads for any minion', async () => {
    const r = await loadPillar({
      pillarDir: resolve('pillar'),
      host,
      grains,
      minionId: 'anything',
      vars: NO_CLOUD,
      allowDefaultEnv: true,
    });
    expect(r.pillar).toMatchObject({
      timezone: 'Europe/Vienna',
      docker: { net: '172.17.0.0/16' },
      appliance: { domain: 'localhost' },
    });
  });
});
