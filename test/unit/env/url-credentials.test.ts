// Credentials in URLs: the lenient reading (passwords pasted with / @ : unencoded), and what the env
// registers as secret for a `secret: 'url'` key (the backup target, the git sources).
import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../../engine/env/active.js';
import { collectSecrets, textHoldsSecret } from '../../../engine/env/secrets.js';
import { urlCredentials } from '../../../engine/env/url-credentials.js';
import { REDACTED, Redactor } from '../../../engine/redact.js';

const pw = (url: string) => urlCredentials(url).flatMap((c) => c.passwords);

describe('urlCredentials', () => {
  it('reads the password as written and URL-decoded', () => {
    expect(pw('sftp://backup:s3cr%2Fet%40x@backup.example.org/ecs')).toEqual(['s3cr%2Fet%40x', 's3cr/et@x']);
    expect(urlCredentials('ftp://u:hunter2-pw@host/path')[0]).toMatchObject({
      url: 'ftp://u:hunter2-pw@host/path',
      user: 'u',
      userinfos: ['u:hunter2-pw'],
    });
  });

  it('keeps a password with a raw / @ or : whole (an S3 secret key as pasted)', () => {
    expect(pw('s3://AKIAEXAMPLEKEY0001:wJalr/XUtnF+EMI/K7MDENG@s3.example.org/bucket')).toContain(
      'wJalr/XUtnF+EMI/K7MDENG',
    );
    expect(pw('sftp://user:p@ss@h/x')).toEqual(['p@ss']);
    expect(pw('ftps://user:pa:ss@h/x')).toEqual(['pa:ss']);
    // ambiguous: both readings are secrets
    expect(pw('sftp://u:pass@word/x@host/')).toEqual(expect.arrayContaining(['pass', 'pass@word/x']));
  });

  it('finds URLs in text, a socket URL with an empty host, and stops at quotes and blanks', () => {
    const text = `DATABASE_URL='postgres://app:db-pw-1@/ecs?host=/run/postgresql' x\nsee http://a:b-pw-2@h/ here`;
    expect(urlCredentials(text).map((c) => c.passwords)).toEqual([['db-pw-1'], ['b-pw-2']]);
  });

  it('a user without a password is a user; no user-info, a shell variable or an @ in a path are none', () => {
    expect(urlCredentials('sftp://backup@host/x')[0]).toMatchObject({ user: 'backup', passwords: [] });
    expect(urlCredentials('file:///volatile/ecs-backup-test/')).toEqual([]);
    expect(urlCredentials('https://registry.example.org/@scope/pkg')).toEqual([]);
    expect(urlCredentials('s|postgres://app:$pass@|" x')).toEqual([]);
  });
});

describe('a secret: url key (appliance:backup:url, the git sources)', () => {
  const secretsOf = (url: string, source = 'https://github.com/ecs-org/ecs.git') =>
    collectSecrets({ appliance: { domain: 'x.example', backup: { url } }, ecs: { git: { source } } });

  it('is secret whole when it carries a password, with the password in every reading', () => {
    const url = 's3://AKIAEXAMPLEKEY0001:wJalr/XUtnF+EMI/K7MDENG@s3.example.org/bucket';
    expect(secretsOf(url)).toEqual(expect.arrayContaining([url, 'wJalr/XUtnF+EMI/K7MDENG', 'AKIAEXAMPLEKEY0001']));
    const enc = 'sftp://backup:p%40ss%2Fw0rd-42@backup.example.org/ecs';
    expect(secretsOf(enc)).toEqual(expect.arrayContaining([enc, 'p%40ss%2Fw0rd-42', 'p@ss/w0rd-42']));
  });

  it('is secret whole with only a user (a token as user name); the token too', () => {
    const token = 'ghp_0123456789abcdefTOKEN';
    const s = secretsOf('file:///x/', `https://${token}@git.example.org/ecs.git`);
    expect(s).toEqual(expect.arrayContaining([`https://${token}@git.example.org/ecs.git`, token]));
  });

  it('is no secret without credentials; a short account name alone is not registered', () => {
    expect(secretsOf('file:///volatile/ecs-backup-test/')).toEqual([]);
    expect(secretsOf('sftp://backup@host/ecs')).toEqual(['sftp://backup@host/ecs']);
  });

  it('hides no piece of its host or path elsewhere (the URL-encoded form is matched whole)', () => {
    const r = new Redactor();
    for (const s of secretsOf('sftp://bk:Pa55-w0rd-77@backup.example.org/ecs-backups/')) r.add(s);
    const text = 'domain=ecs-one.example.org\ndir=/srv/ecs-backups/\n';
    expect(r.redact(text)).toBe(text);
    expect(r.holdsSecret(text)).toBe(false);
  });

  it('shows as redacted, its password in no form a template gives it', () => {
    const url = 'sftp://bk-user:Pa55/w0rd@x!@backup.example.org/ecs';
    const r = new Redactor();
    for (const s of secretsOf(url)) r.add(s);
    const out = r.redact(`url: ${url}\nquoted='Pa55/w0rd@x!'\nenc=${encodeURIComponent('Pa55/w0rd@x!')}`);
    expect(out).toBe(`url: ${REDACTED}\nquoted='${REDACTED}'\nenc=${REDACTED}`);
  });
});

describe('a wrong backup URL or git source', () => {
  it('is an error naming the key, never showing the value', () => {
    const wrong = ['"sftp//bk:Sup3rSecretPw@h/x"', '[1, "sftp://bk:Sup3rSecretPw@h/x"]', '{ pw: Sup3rSecretPw }'];
    const envs = [
      ...wrong.map((v) => `appliance:\n  domain: x.example\n  backup:\n    url: ${v}\n`),
      // any text is a git source: only a wrong type is an error
      ...wrong.slice(1).map((v) => `appliance:\n  domain: x.example\necs:\n  git:\n    source: ${v}\n`),
    ];
    for (const env of envs) {
      let msg = '';
      try {
        checkEnv(env, 'env.yml', null);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(/env\.yml:\d+: (appliance\.backup\.url|ecs\.git\.source): expected /);
      expect(msg).not.toContain('Sup3rSecretPw');
    }
  });
});

describe('duplicity options and old file contents', () => {
  it('backup options are secret; --passphrase=, --ftp-password= in any text are', () => {
    const opts = "--gpg-options='--passphrase=gpg-pass-9' --num-retries 3";
    expect(collectSecrets({ appliance: { backup: { options: opts } } })).toEqual(
      expect.arrayContaining([opts, 'gpg-pass-9']),
    );
    expect(collectSecrets({ x: { cmd: 'duplicity --ftp-password=ftp-pw-77 /a' } })).toContain('ftp-pw-77');
  });

  it('textHoldsSecret: a URL with a password, not a shell variable in one nor an empty assignment', () => {
    expect(textHoldsSecret('BACKUP_URL=sftp://u:Pa55/w0rd@host/x\n')).toBe(true);
    expect(textHoldsSecret('sed "s|postgres://app:$pass@|x|"\nexport PASSPHRASE=""\n')).toBe(false);
  });
});
