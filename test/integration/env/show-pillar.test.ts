// `brine show pillar` prints the merged pillar with every secret of a freshly created env redacted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const CLI = resolve('dist/brine.mjs');
const NO_CLOUD = { BRINE_EC2_METADATA_URL: 'http://127.0.0.1:1', BRINE_GCE_METADATA_URL: 'http://127.0.0.1:1' };
const run = (args: string[]) =>
  spawnSync('node', [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...NO_CLOUD } });

describe('brine show pillar', () => {
  let dir: string;
  let envFile: string;
  let secrets: string[];
  beforeAll(() => {
    expect(existsSync(CLI), 'build the CLI first: npm run build').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'brine-show-pillar-'));
    envFile = join(dir, 'env.yml');
    const c = run(['env', 'create', 'ecs.example.org', '-o', envFile]);
    expect(c.status, c.stderr).toBe(0);
    // the secrets, found here independently of brine's own secret detection
    const env = parse(readFileSync(envFile, 'utf8')) as {
      appliance: { dkim: { key: string }; backup: { encrypt: string } };
      ecs: { settings: string; vault_encrypt: string; vault_sign: string };
    };
    const blocks = [env.appliance.dkim.key, env.appliance.backup.encrypt, env.ecs.vault_encrypt, env.ecs.vault_sign];
    const bodyLines = blocks.flatMap((b) =>
      b
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length >= 20 && !l.startsWith('-----')),
    );
    const settings = [
      ...env.ecs.settings.matchAll(/^\s*(SECRET_KEY|REGISTRATION_SECRET|PASSWORD_RESET_SECRET) = '([^']+)'/gm),
    ].map((m) => m[2]!);
    expect(settings).toHaveLength(3);
    secrets = [...bodyLines, ...settings];
    expect(secrets.length).toBeGreaterThan(50);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const out of ['yaml', 'json']) {
    it(`--out ${out}: the pillar is there, no secret is`, () => {
      const r = run(['show', 'pillar', '--env', envFile, '--pillar', resolve('pillar'), '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('ecs.example.org');
      expect(r.stdout).toContain('Europe/Vienna'); // from the pillar tree
      expect(r.stdout).toContain('<redacted>');
      for (const s of secrets) expect(r.stdout.includes(s), `secret leaked: ${s.slice(0, 12)}...`).toBe(false);
      expect(r.stderr).not.toMatch(/PRIVATE KEY/);
    });
  }
});
