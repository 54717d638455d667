// The env and sizing commands end to end, through the built CLI (dist/brine.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const CLI = resolve('dist/brine.mjs');
const DEFAULT_ENV = resolve('pillar/default-env.yml');
// metadata services pointed at a closed port, so a test never waits on (or reads) a real cloud
const NO_CLOUD = { BRINE_EC2_METADATA_URL: 'http://127.0.0.1:1', BRINE_GCE_METADATA_URL: 'http://127.0.0.1:1' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function brine(args: string[], o: { env?: Record<string, string>; umask?: string } = {}): Run {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...NO_CLOUD, ...o.env };
  const r = o.umask
    ? spawnSync('sh', ['-c', `umask ${o.umask}; exec node "$@"`, 'sh', CLI, ...args], { env, encoding: 'utf8' })
    : spawnSync('node', [CLI, ...args], { env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mode = (p: string): number => statSync(p).mode & 0o777;
const oneLine = (s: string): void => {
  expect(s.trim().split('\n')).toHaveLength(1);
  expect(s).not.toMatch(/\n\s+at /); // no stack trace
};

describe('brine env / sizing (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    expect(existsSync(CLI), 'build the CLI first: npm run build').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'brine-env-cli-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('env create -o writes a 0600 env, refuses to overwrite it, merges --extra', () => {
    const out = join(dir, 'env.yml');
    writeFileSync(
      join(dir, 'extra.yml'),
      'appliance:\n  metric:\n    exporter: true\n  extra:\n    packages: [qrencode]\n',
    );
    const r = brine(['env', 'create', 'ecs.example.org', '-o', out, '--extra', join(dir, 'extra.yml')], {
      umask: '000',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(mode(out)).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('#cloud-config');
    const env = parse(text) as { appliance: { domain: string; metric: object; extra: { packages: string[] } } };
    expect(env.appliance).toMatchObject({
      domain: 'ecs.example.org',
      metric: { exporter: true },
      extra: { packages: ['qrencode'] },
    });
    expect(readdirSync(dir).sort()).toEqual(['env.yml', 'extra.yml']); // no temp file left behind

    const again = brine(['env', 'create', 'ecs.example.org', '-o', out]);
    expect(again.code).toBe(3);
    oneLine(again.stderr);
    expect(again.stderr).toMatch(/exists already/);
    expect(readFileSync(out, 'utf8')).toBe(text);

    const bad = brine(['env', 'create', 'not a domain', '-o', join(dir, 'bad.yml')]);
    expect(bad.code).toBe(3);
    oneLine(bad.stderr);
    expect(existsSync(join(dir, 'bad.yml'))).toBe(false);
  });

  it('env activate: validates, writes 0600 (even over a 0644 file, with umask 000), names the source', () => {
    const out = join(dir, 'active-env.yml');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o644);
    const r = brine(['env', 'activate', '--out', out], { env: { ENV_YML: DEFAULT_ENV }, umask: '000' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`activated from ENV_YML:${DEFAULT_ENV} -> ${out}`);
    expect(r.stdout).not.toMatch(/standby/);
    expect(mode(out)).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(DEFAULT_ENV, 'utf8'));
  });

  it('env activate reports standby', () => {
    const src = join(dir, 'standby.yml');
    writeFileSync(src, '#cloud-config\nappliance:\n  standby: true\n');
    const r = brine(['env', 'activate', '--out', join(dir, 'standby-active.yml')], { env: { ENV_YML: src } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/standby/);
  });

  it('env activate refuses a bad env: one line naming file:line and key, exit 3, nothing written', () => {
    const src = join(dir, 'bad-env.yml');
    writeFileSync(
      src,
      '#cloud-config\nappliance:\n  domain: ecs.example.org\n  ssl:\n    letsencrypt:\n      enabled: sometimes\n  ' +
        'colour: blue\n',
    );
    const out = join(dir, 'never.yml');
    const r = brine(['env', 'activate', '--out', out], { env: { ENV_YML: src } });
    expect(r.code).toBe(3);
    oneLine(r.stderr);
    expect(r.stderr).toContain(
      `ENV_YML:${src}:6: appliance.ssl.letsencrypt.enabled: expected boolean, got "sometimes"`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('env activate warns about unknown keys but activates', () => {
    const src = join(dir, 'unknown.yml');
    writeFileSync(src, '#cloud-config\nappliance:\n  domain: ecs.example.org\n  colour: blue\n');
    const r = brine(['env', 'activate', '--out', join(dir, 'unknown-active.yml')], { env: { ENV_YML: src } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(':4: appliance.colour: unknown key (ignored)');
  });

  it('an env of the original appliance with keys written with no value (standby:) activates and exports', () => {
    const src = join(dir, 'old-appliance.yml');
    writeFileSync(src, readFileSync(DEFAULT_ENV, 'utf8').replace(/^ {2}standby: false$/m, '  standby:'));
    expect(readFileSync(src, 'utf8')).toMatch(/^ {2}standby:$/m);
    const r = brine(['env', 'activate', '--out', join(dir, 'old-active.yml')], { env: { ENV_YML: src } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/standby/);
    const exp = brine(['env', 'export', 'appliance', '--env', src]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stdout).toContain('APPLIANCE_DOMAIN=localhost');
    expect(exp.stdout).not.toContain('APPLIANCE_STANDBY');
  });

  it('env export round-trips through bash eval', () => {
    const script =
      `eval "$(node ${CLI} env export appliance,ecs --env ${DEFAULT_ENV} --prefix 'export ')" && ` +
      `printf '%s|%s|%s|%s' "$APPLIANCE_DOMAIN" "$APPLIANCE_SSL_LETSENCRYPT_ENABLED" "$ECS_USERSWITCHER_PARAMETER" ` +
      `"$(printf %s "$APPLIANCE_DKIM_KEY" | head -1)"`;
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, ...NO_CLOUD } });
    expect(out).toBe('localhost|false|-it|-----BEGIN PRIVATE KEY-----');
    const missing = brine(['env', 'export', 'nope', '--env', DEFAULT_ENV]);
    expect(missing.code).toBe(3);
    oneLine(missing.stderr);
  });

  it('sizing prints the assessment, as text and json; bad input exits 3', () => {
    const j = brine(['sizing', '--studies', '100', '--out', 'json']);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ studiesPerMonth: 100, cores: 6, memoryGB: 16, databaseGB: 8 });
    const t = brine(['sizing', '--studies', '40']);
    expect(t.stdout).toMatch(/recommended Cores\s+4/);
    const bad = brine(['sizing', '--studies', 'many']);
    expect(bad.code).toBe(3);
    oneLine(bad.stderr);
  });
});
