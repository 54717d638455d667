import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../../engine/env/active.js';
import { mergeTrees } from '../../../engine/env/merge.js';
import { collectSecrets } from '../../../engine/env/secrets.js';
import { REDACTED, Redactor } from '../../../engine/redact.js';

const DEFAULT_ENV = readFileSync(new URL('../../../pillar/default-env.yml', import.meta.url), 'utf8');

describe('secrets of the env', () => {
  const tree = checkEnv(DEFAULT_ENV, 'default-env.yml', null).parsed.tree;
  const secrets = collectSecrets(tree);

  it('finds keys, PGP blocks and the Django secrets', () => {
    expect(secrets).toContain('TEST-ONLY-secret-key-lSx0n3f9kq2Wc7vYtRz8pB4mHd6uJeA1');
    expect(secrets).toContain('TEST-ONLY-registration-8VbN2qLx5ZcR7tYwP0sKd3mFh9gJ');
    expect(secrets).toContain('TEST-ONLY-password-reset-Q4wE6rT8yU1iO3pA5sD7fG9hJ2kL');
    expect(secrets.filter((s) => s.startsWith('-----BEGIN PGP PRIVATE KEY BLOCK-----'))).toHaveLength(3);
    expect(secrets.some((s) => s.startsWith('-----BEGIN PRIVATE KEY-----'))).toBe(true);
    expect(secrets).not.toContain('localhost');
  });

  it('finds *_secret keys, passwords in URLs and mount options, schema-marked paths', () => {
    const s = collectSecrets({
      appliance: {
        domain: 'x.y',
        backup: { url: 'ftp://backup:hunter2-pw@host/path', mount: { options: 'user=u,pass=cifs-password' } },
        sentry: { dsn: 'https://k3y@sentry.example/1' },
        ssl: { key: 'key-file-contents' },
      },
      app_secret: 'some-app-secret',
      nested: { db_password: 'db-pass-word', api: { token: 9876543 } },
    });
    expect(s).toEqual(
      expect.arrayContaining(['hunter2-pw', 'cifs-password', 'user=u,pass=cifs-password', 'https://k3y@sentry.example/1', 'key-file-contents', 'some-app-secret', 'db-pass-word', '9876543']),
    );
    expect(s).not.toContain('x.y');
  });

  it('redacts every secret from the pillar as printed (json and yaml)', () => {
    const pillar = mergeTrees({ timezone: 'Europe/Vienna' }, tree);
    const r = new Redactor();
    for (const x of collectSecrets(pillar)) r.add(x);
    const json = r.redact(JSON.stringify(pillar, null, 2));
    const yamlText = r.redact(DEFAULT_ENV);
    for (const out of [json, yamlText]) {
      expect(out).not.toMatch(/TEST-ONLY-/);
      expect(out).not.toMatch(/^\s*[A-Za-z0-9+/]{40,}={0,2}\s*$/m); // no key body line survives
      expect(out).toContain(REDACTED);
      expect(out).toContain('localhost');
    }
  });
});
