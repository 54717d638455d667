// contentDiff: what a content change shows. A diff, or why not (a secret in the old or the new
// contents, show_changes: False, binary, over the per-file or per-run limits) with hashes and sizes.
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../engine/redact.js';
import { contentView, DIFF_LIMITS } from '../../../engine/report/content-view.js';
import { contentDiff, sha256 } from '../../../modules/file/content.js';
import { modules } from '../../../modules/file/index.js';
import { testCtx } from '../../support/checkapply.js';

const B = (s: string) => Buffer.from(s);
const lines = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag} line ${i} ${'x'.repeat(40)}`).join('\n') + '\n';
const HIDDEN =
  /^content not shown: the file holds a secret; sha256 ([0-9a-f]{64}|\(none\)) -> [0-9a-f]{64} \(.* -> .*\)$/;

describe('contentDiff: files holding a secret show hashes only', () => {
  const redactor = new Redactor();
  redactor.add('NEW-secret-value-0123456789');
  redactor.add('Qk7z'); // a short password
  const view = () => contentView(redactor);

  it('a plain change is a unified diff', () => {
    const d = contentDiff('/etc/a', B('a=1\nb=2\n'), B('a=1\nb=3\n'), { view: view() });
    expect(d).toContain('-b=2\n+b=3');
  });

  it('hides a file whose NEW contents hold a registered secret, so its old secret never prints', () => {
    const d = contentDiff(
      '/etc/app.env',
      B('TOKEN=OLD-value-nobody-knows-now\n'),
      B('TOKEN=NEW-secret-value-0123456789\n'),
      { view: view() },
    );
    expect(d).toMatch(HIDDEN);
    expect(d).not.toContain('OLD-value');
    expect(d).toContain(
      `sha256 ${sha256('TOKEN=OLD-value-nobody-knows-now\n')} -> ${sha256('TOKEN=NEW-secret-value-0123456789\n')}`,
    );
  });

  it('hides derived forms (upper case, a slice, JSON-escaped, base64) and a short secret', () => {
    for (const text of [
      'X=NEW-SECRET-VALUE-0123456789\n',
      'X=secret-value-0123\n',
      `X=${Buffer.from('NEW-secret-value-0123456789').toString('base64')}\n`,
      'pw Qk7z\n',
    ]) {
      expect(contentDiff('/f', B('old\n'), B(text), { view: view() }), text).toMatch(HIDDEN);
    }
    // a short secret inside a longer word is not that secret
    expect(contentDiff('/f', B('old\n'), B('word Qk7zebra\n'), { view: view() })).toContain('+word Qk7zebra');
  });

  it(
    'hides a file whose OLD contents hold a secret the run does not know: a key block, a secret assignment, a URL ' +
      'password',
    () => {
      const olds = [
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n',
        '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGsP\n=K3WK\n-----END PGP PRIVATE KEY BLOCK-----\n',
        "DEBUG = False\nSECRET_KEY = 'old-django-secret'\n",
        'relay_host=smtp\nrelay_pass=old-relay\n',
        'db:\n  password: old-db-pw\n',
        'url = postgres://app:oldpw@db/ecs\n',
        'options: user=u,pass=cifs-old\n',
      ];
      for (const old of olds) expect(contentDiff('/f', B(old), B('new\n')), old).toMatch(HIDDEN);
    },
  );

  it('does not take ordinary config for a secret', () => {
    const plain = [
      'PasswordAuthentication no\nPermitRootLogin prohibit-password\n',
      'smtp_sasl_password_maps = hash:/etc/postfix/sasl\n',
      'ssl_certificate_key /etc/ssl/private/x.key;\n',
      'password_file = /etc/app/pw\n',
      'token: ${TOKEN}\n',
      'password: changeme\n',
    ];
    for (const old of plain) expect(contentDiff('/f', B(old), B('new\n')), old).toMatch(/^Index: \/f\n/);
  });

  it(
    'show_changes: False shows hashes only, also in a file.replace plan (whose change carries hashes, the text ' +
      'only as payload)',
    () => {
      expect(contentDiff('/f', B('a\n'), B('b\n'), { show: false })).toBe(
        `content not shown (show_changes: False); sha256 ${sha256('a\n')} -> ${sha256('b\n')} (2 B -> 2 B)`,
      );
      const args = { name: '/f', pattern: 'a', repl: 'b', show_changes: false };
      const c = modules.file!.replace!.plan(args, { exists: true, text: 'a\n' }, testCtx(args));
      expect(c[0]).toEqual({
        op: 'update',
        kind: 'file',
        target: '/f',
        before: sha256('a\n'),
        after: sha256('b\n'),
        diff: expect.stringMatching(/^content not shown \(show_changes: False\)/),
        payload: 'b\n',
      });
    },
  );
});

describe('contentDiff: big files cost little', () => {
  it('a file over 64 KB gets no diff, only sizes and hashes', () => {
    const big = B('y'.repeat(200 * 1024));
    const d = contentDiff('/big', B('x'.repeat(200 * 1024)), big);
    expect(d).toBe(
      `diff omitted: 200 KB file, over the 64 KB diff limit; ` +
        `sha256 ${sha256('x'.repeat(200 * 1024))} -> ${sha256(big)} (200 KB -> 200 KB)`,
    );
  });

  it('a rewrite with more changed lines than the limit is not diffed (counted without diffing)', () => {
    const t0 = Date.now();
    const d = contentDiff('/f', B(lines(800, 'old')), B(lines(800, 'new')));
    expect(d).toMatch(
      /^diff omitted: 1600 lines change, over the 1000-line diff limit; sha256 [0-9a-f]{64} -> [0-9a-f]{64}/,
    );
    expect(Date.now() - t0).toBeLessThan(1000); // a Myers diff of this takes seconds; the count takes milliseconds
  });

  it('the run budget is shared: once spent, further diffs are omitted and say so', () => {
    const view = contentView(new Redactor(), { ...DIFF_LIMITS, runBytes: 200 });
    const first = contentDiff('/a', B(lines(5, 'a')), B(lines(5, 'b')), { view });
    expect(first).toMatch(/^Index: \/a\n/);
    expect(view.spent.bytes).toBe(first.length);
    expect(contentDiff('/b', B('1\n'), B('2\n'), { view })).toMatch(
      /^diff omitted: the run's diff limit is spent \(200 B of diffs or 2 s of diff work\); sha256/,
    );
  });

  it('a diff over the per-file time limit is dropped', () => {
    const view = contentView(new Redactor(), { ...DIFF_LIMITS, fileMs: 1, changedLines: 100_000 });
    // many short, shuffled lines: a long Myers run, well over 1 ms
    const a = Array.from({ length: 6000 }, (_, i) => `${(i * 7919) % 6000}`).join('\n');
    const b = Array.from({ length: 6000 }, (_, i) => `${(i * 104729) % 6000}`).join('\n');
    expect(contentDiff('/f', B(a), B(b), { view })).toMatch(
      /^diff omitted: more than 100000 changed lines or 1 ms of diff work/,
    );
  });
});
