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
      expect.arrayContaining([
        'hunter2-pw',
        'cifs-password',
        'user=u,pass=cifs-password',
        'https://k3y@sentry.example/1',
        'key-file-contents',
        'some-app-secret',
        'db-pass-word',
        '9876543',
      ]),
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

describe('secret key names', () => {
  it('pass, pw, passphrase and credentials are secret names too; words that merely contain them are not', () => {
    const s = collectSecrets({
      smtp: { pass: 'smtp-pass-value', user: 'mailer' },
      db_pw: 'db-pw-value',
      gpg: { passphrase: 'gpg-phrase-value' },
      cloud: { credentials: 'cloud-cred-value' },
      relayPw: 'camel-pw-value',
      bypass: 'not-a-secret-1',
      compass: 'not-a-secret-2',
      passenger: 'not-a-secret-3',
      extra: { contents: 'relay_host=smtp\nrelay_pass=relay-file-value\n' },
    });
    expect(s).toEqual(
      expect.arrayContaining([
        'smtp-pass-value',
        'db-pw-value',
        'gpg-phrase-value',
        'cloud-cred-value',
        'camel-pw-value',
        'relay-file-value',
      ]),
    );
    for (const v of ['mailer', 'not-a-secret-1', 'not-a-secret-2', 'not-a-secret-3']) expect(s).not.toContain(v);
  });
});

describe('Redactor', () => {
  const key = [
    '-----BEGIN PGP PRIVATE KEY BLOCK-----',
    '',
    'lQOYBGsPtn0BCAC8WCRj1aI+boMlUnZY4MEPl8ne0VOYzZIZ7ivUCWZTEcR7HRIX',
    'xWTpSGw=',
    '=K3WK',
    '-----END PGP PRIVATE KEY BLOCK-----',
  ].join('\n');
  const r = new Redactor();
  r.add(key);
  r.add('Db-Secret-Value-42xyz');
  r.add('Qk7z');
  r.add('ab'); // too short to register: it would eat ordinary text

  it('hides every line of a multi-line secret, down to the armour tail', () => {
    const out = r.redact('-lQOYBGsPtn0BCAC8WCRj1aI+boMlUnZY4MEPl8ne0VOYzZIZ7ivUCWZTEcR7HRIX\n-xWTpSGw=\n-=K3WK\n');
    expect(out).toBe(`-${REDACTED}\n-${REDACTED}\n-${REDACTED}\n`);
  });

  it(
    'hides the derived forms a template may print: upper, lower, JSON-escaped, YAML-quoted, base64, URL-encoded, a ' +
      'slice',
    () => {
      const forms = [
        'DB-SECRET-VALUE-42XYZ',
        'db-secret-value-42xyz',
        Buffer.from('Db-Secret-Value-42xyz').toString('base64'),
        'Secret-Value-4',
        'lQOYBGsPtn0BCAC8WCRj1a',
      ];
      for (const f of forms) expect(r.redact(`x=${f};`), f).not.toContain(f);
      const q = new Redactor();
      q.add(`it's "quoted"\\`);
      expect(q.redact(JSON.stringify({ v: `it's "quoted"\\` }))).not.toContain('quoted');
      expect(q.redact(`v: 'it''s "quoted"\\'`)).not.toContain('quoted');
    },
  );

  it('hides short secrets where they stand alone, not inside other words', () => {
    expect(r.redact('password Qk7z set')).toBe(`password ${REDACTED} set`);
    expect(r.redact('Qk7zebra')).toBe('Qk7zebra');
    expect(r.redact('ab cd')).toBe('ab cd');
  });

  it('holdsSecret: registered secrets and their pieces, key blocks and secret assignments it never saw', () => {
    expect(r.holdsSecret('token Db-Secret-Value-42xyz')).toBe(true);
    expect(r.holdsSecret('x=nCBtZUU8ITdqv7FqmPCrw3WCRj1aI+boMlUnZ')).toBe(true); // a 12-char piece of a key line
    expect(r.holdsSecret('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n')).toBe(true);
    expect(r.holdsSecret("SECRET_KEY = 'never-registered'\n")).toBe(true);
    expect(r.holdsSecret('server_name ecs.example.org;\nlisten 443 ssl;\n')).toBe(false);
  });
});
