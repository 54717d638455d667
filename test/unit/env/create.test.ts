import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkEnv } from '../../../engine/env/active.js';
import { parseEnv } from '../../../engine/env/parse.js';
import { createEnv } from '../../../engine/env/create/index.js';
import { collectSecrets } from '../../../engine/env/secrets.js';
import { EnvError } from '../../../engine/errors.js';

type Env = {
  appliance: {
    domain: string;
    dkim: { key: string };
    backup: { encrypt: string };
    metric?: Record<string, boolean>;
    sentry?: { dsn: string };
  };
  ecs: { settings: string; vault_encrypt: string; vault_sign: string };
  ssh_authorized_keys: string[];
};

const settingsValue = (settings: string, name: string): string => {
  const m = new RegExp(`^\\s*${name} = '([^']*)'`, 'm').exec(settings);
  if (!m?.[1]) throw new Error(`${name} not in settings`);
  return m[1];
};

/** The DKIM public key from the DNS comment lines at the top of the file. */
const dkimFromComments = (text: string): string => {
  const head = text
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .join('\n');
  const start = head.indexOf('default._domainkey');
  const strings = head.slice(start).match(/"[^"]*"/g) ?? [];
  return strings
    .map((s) => s.slice(1, -1))
    .join('')
    .replace(/^.*p=/, '');
};

describe('env create', () => {
  let a: string;
  let b: string;
  let envA: Env;
  let gnupg: string;
  const gpg = (args: string[], input?: string | Buffer): Buffer =>
    execFileSync('gpg', ['--homedir', gnupg, '--batch', '--yes', '--quiet', '--trust-model', 'always', ...args], {
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([
      createEnv({
        domain: 'ecs.example.org',
        ip: '192.0.2.10',
        extra: {
          appliance: { metric: { exporter: true }, sentry: { dsn: 'https://pub@sentry.example.org/2' } },
          ssh_authorized_keys: ['ssh-ed25519 AAAAC3Nza test@example'],
        },
      }),
      createEnv({ domain: 'ecs.example.org' }),
    ]);
    envA = parse(a) as Env;
    gnupg = mkdtempSync(join(tmpdir(), 'brine-test-gpg-'));
  }, 60_000);
  afterAll(() => {
    if (gnupg) {
      try {
        execFileSync('gpgconf', ['--homedir', gnupg, '--kill', 'all']);
      } catch {}
      rmSync(gnupg, { recursive: true, force: true });
    }
  });

  it('is valid YAML that passes the schema, #cloud-config first, DNS records at the top', () => {
    expect(a.split('\n')[0]).toBe('#cloud-config');
    expect(checkEnv(a, 'a', null).warnings).toEqual([]);
    expect(envA.appliance.domain).toBe('ecs.example.org');
    expect(a).toMatch(/^# ecs {2}IN {2}A {5}192\.0\.2\.10$/m);
    expect(a).toMatch(/^# 10\.2\.0\.192\.in-addr\.arpa\. {2}IN {2}PTR {3}ecs\.example\.org\.$/m);
    expect(a).toMatch(/^# ecs {2}IN {2}TXT {3}"v=spf1 a mx ptr ~all"$/m);
    expect(a).toMatch(/^# _dmarc\.ecs {2}IN {2}TXT/m);
  });

  it('merges --extra settings (maps merged, lists replaced, sentry DSN into the settings)', () => {
    expect(envA.appliance.metric).toEqual({ exporter: true });
    expect(envA.ssh_authorized_keys).toEqual(['ssh-ed25519 AAAAC3Nza test@example']);
    expect(settingsValue(envA.ecs.settings, 'SENTRY_DSN')).toBe('https://pub@sentry.example.org/2');
    expect(envA.appliance.dkim.key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/); // generated keys survive the merge
  });

  it('never produces the same secrets twice', () => {
    const envB = parse(b) as Env;
    for (const name of ['SECRET_KEY', 'REGISTRATION_SECRET', 'PASSWORD_RESET_SECRET']) {
      const va = settingsValue(envA.ecs.settings, name);
      expect(va.length).toBeGreaterThanOrEqual(50);
      expect(va).not.toBe(settingsValue(envB.ecs.settings, name));
    }
    expect(envA.appliance.dkim.key).not.toBe(envB.appliance.dkim.key);
    expect(envA.appliance.backup.encrypt).not.toBe(envB.appliance.backup.encrypt);
    expect(envA.ecs.vault_encrypt).not.toBe(envA.ecs.vault_sign);
    const secrets = collectSecrets(envA);
    expect(secrets).toContain(settingsValue(envA.ecs.settings, 'SECRET_KEY'));
    expect(secrets).toContain(envA.appliance.dkim.key.trim());
  });

  it('has a 2048-bit DKIM key that signs, verifiable with the public key published in DNS', () => {
    const priv = createPrivateKey(envA.appliance.dkim.key);
    expect(priv.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const pub = createPublicKey({ key: Buffer.from(dkimFromComments(a), 'base64'), format: 'der', type: 'spki' });
    const msg = Buffer.from('From: ecs@ecs.example.org\r\nSubject: test\r\n');
    const sig = sign('sha256', msg, priv);
    expect(verify('sha256', msg, pub, sig)).toBe(true);
    expect(verify('sha256', Buffer.from('tampered'), pub, sig)).toBe(false);
  });

  it('has PGP keys that encrypt and decrypt (backup, vault) and sign (vault_sign)', () => {
    for (const key of [envA.appliance.backup.encrypt, envA.ecs.vault_encrypt, envA.ecs.vault_sign])
      gpg(['--import'], key);
    const plain = `backup payload ${Date.now()}`;
    for (const uid of ['ecs_backup@ecs.example.org', 'ecs_mediaserver@ecs.example.org']) {
      const cipher = gpg(['--armor', '--encrypt', '--recipient', uid], plain);
      expect(cipher.toString()).toMatch(/BEGIN PGP MESSAGE/);
      expect(gpg(['--decrypt'], cipher).toString()).toBe(plain);
    }
    const signed = gpg(['--local-user', 'ecs_authority@ecs.example.org', '--armor', '--sign'], plain);
    expect(() => gpg(['--verify'], signed)).not.toThrow();
  });

  it('names the extra settings when they make the env invalid', async () => {
    await expect(
      createEnv({ domain: 'a.example.org', extra: { appliance: { metric: { gui: 'yes' } } }, extraLabel: 'extra.yml' }),
    ).rejects.toThrow('extra.yml: appliance.metric.gui: expected boolean, got "yes"');
  });

  it("keeps an extra string that YAML 1.1 would read as a boolean a string ('yes', 'on')", async () => {
    const text = await createEnv({
      domain: 'a.example.org',
      extra: { appliance: { extra: { packages: ['on'] } }, ecs: { settings: 'yes' } },
    });
    const env = parseEnv(text, 'env.yml').tree as {
      appliance: { extra: { packages: unknown[] } };
      ecs: { settings: unknown };
    };
    expect(env.appliance.extra.packages).toEqual(['on']);
    expect(env.ecs.settings).toBe('yes');
  });

  it('refuses a bad domain with an EnvError before generating anything', async () => {
    await expect(createEnv({ domain: 'not a domain' })).rejects.toThrow(EnvError);
  });
});
