// Which values of a pillar/env are secrets, for the Redactor: values under paths the schema marks
// `secret`, values of keys named like secrets (*secret*, *password*, *token*, SECRET_KEY, pass, pw,
// passphrase, credentials...), private key blocks (PGP and PEM) anywhere, the credentials of a URL
// (url-credentials.ts: the whole URL, its user:password and every reading of the password, decoded
// too), and the values assigned to secret-like names inside Python settings text (ecs:settings).
// A schema path marked `secret: 'url'` (a backup target, a git source) is secret whole whenever it
// carries credentials, a password or only a user (a token as user name); without, it is not secret.
// textHoldsSecret() tells, without knowing any value, whether a text (a file's old contents) looks
// like it holds a secret: a private key block, a secret-named assignment, a URL with a password.
import type { JSONSchema } from '../contract.js';
import { isPlainMap } from './merge.js';
import { ENV_SCHEMA } from './schema.js';
import { urlCredentials } from './url-credentials.js';

const SECRET_KEY_NAME = /(secret|passw(or)?d|passwd|passphrase|token|private|credential|api_?key|^key$|_key$)/i;
/** Words that make a key name secret when they are one of its parts (db_pass, smtpPw, pass). */
const SECRET_WORDS = new Set([
  'pass',
  'pw',
  'pwd',
  'passwd',
  'password',
  'passphrase',
  'secret',
  'token',
  'credentials',
  'credential',
  'creds',
  'apikey',
  'privkey',
  'psk',
]);
export const PRIVATE_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
const SETTINGS_ASSIGN = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?)\s*=\s*(['"])(.*?)\2\s*(?:#.*)?$/gm;
const SETTINGS_SECRET_NAME =
  /(SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|CREDENTIALS|_KEY\b|KEY$|DSN|(^|_)PASS$|(^|_)PW$)/i;
// key=value options (`user=u,pass=x`) and command-line options (`--passphrase=x`, `--ftp-password=x`)
const OPTION_NAMES = 'pass|password|passwd|passphrase|pw|pwd|secret|token|credentials';
const OPTION_SECRET = new RegExp(`(?:^|[,\\s'"])(?:--?(?:[a-z0-9]+-)*)?(?:${OPTION_NAMES})=([^,\\s'"]+)`, 'gi');
/** A user name this long in a URL with no password is a token (`https://TOKEN@host/`), not an account. */
const TOKEN_USER = 16;

/** The parts of a key name: db_password -> [db, password]; smtpPw -> [smtp, pw]. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * True for key names whose values are secrets (db_password, app_secret, token, key, pass, pw, passphrase,
 * credentials...).
 */
export function isSecretKeyName(name: string): boolean {
  return SECRET_KEY_NAME.test(name) || nameWords(name).some((w) => SECRET_WORDS.has(w));
}

/**
 * Stricter, for names found in file text: the name ends in a secret word (DB_PASSWORD, smtp_pass,
 * SECRET_KEY, api_token), so `smtp_sasl_password_maps` or `password_file` are not secrets.
 */
function isSecretSettingName(name: string): boolean {
  const w = nameWords(name);
  const last = w[w.length - 1] ?? '';
  if (SECRET_WORDS.has(last)) return true;
  return (
    last === 'key' &&
    w.slice(0, -1).some((x) => ['secret', 'private', 'api', 'access', 'signing', 'encryption', 'master'].includes(x))
  );
}

const NOT_A_VALUE = /^(|true|false|yes|no|on|off|none|null|nil|~|\*+|x+|changeme|invalid)$/i;
const ASSIGN_LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*(?:\[['"]?[A-Za-z0-9_.-]+['"]?\])?)\s*[:=]\s*(.+?)\s*$/;

/**
 * Whether a text looks like it holds a secret, without knowing any secret value: a private key
 * block, a line assigning a value to a secret name (`SECRET_KEY = '...'`, `db_pass: ...`,
 * `PASSWORD=...`), a key=value option with a password, or a URL with a password. Used for a
 * file's old contents, whose secrets may be ones the current env no longer has.
 */
export function textHoldsSecret(text: string): boolean {
  if (PRIVATE_BLOCK.test(text)) return true;
  for (const line of text.split('\n')) if (secretAssignment(line)) return true;
  for (const m of text.matchAll(OPTION_SECRET)) if (m[1] && !NOT_A_VALUE.test(m[1])) return true;
  for (const c of urlCredentials(text)) if (c.passwords.some((p) => !NOT_A_VALUE.test(p))) return true;
  return false;
}

function childSchema(schema: JSONSchema | undefined, key: string | number): JSONSchema | undefined {
  if (!schema) return undefined;
  if (typeof key === 'number') return schema.items as JSONSchema | undefined;
  const props = schema.properties as Record<string, JSONSchema> | undefined;
  if (props?.[key]) return props[key];
  const alts = (schema.anyOf ?? schema.oneOf) as JSONSchema[] | undefined;
  for (const a of alts ?? []) {
    const c = childSchema(a, key);
    if (c) return c;
  }
  return undefined;
}

/** The value a line assigns to a secret name (`DB_PASSWORD=x`, `relay_pass: x`, `SECRET_KEY = 'x'`), if any. */
function secretAssignment(line: string): string | undefined {
  if (line.length > 4096) return undefined;
  const m = ASSIGN_LINE.exec(line);
  if (!m || !isSecretSettingName(m[1]!.replace(/\[['"]?([^'"\]]+)['"]?\]$/, '_$1'))) return undefined;
  const v = m[2]!
    .replace(/\s+#.*$/, '')
    .replace(/^(['"])(.*)\1[,;]?$/, '$2')
    .trim();
  return !NOT_A_VALUE.test(v) && !/^[/$%{<]/.test(v) && v.length >= 3 ? v : undefined;
}

function fromText(s: string, out: Set<string>): void {
  if (PRIVATE_BLOCK.test(s)) out.add(s.trim());
  for (const m of s.matchAll(SETTINGS_ASSIGN)) {
    if (SETTINGS_SECRET_NAME.test(m[1] ?? '') && m[3]) out.add(m[3]);
  }
  if (s.includes('\n')) {
    for (const line of s.split('\n')) {
      const v = secretAssignment(line);
      if (v) out.add(v);
    }
  }
  // user:password@ in URLs (backup targets, DSNs, git remotes): the URL, user:password, the password
  for (const c of urlCredentials(s)) {
    if (!c.passwords.length) continue;
    out.add(c.url);
    for (const x of [...c.userinfos, ...c.passwords]) out.add(x);
    if (c.user.length >= TOKEN_USER) out.add(c.user);
  }
  // key=value option strings (mount options: pass=..., password=...)
  for (const m of s.matchAll(OPTION_SECRET)) if (m[1]) out.add(m[1]);
}

/** A value of a `secret: 'url'` path: whole when it carries credentials; a long user name (a token) too. */
function fromUrl(v: string, out: Set<string>): void {
  const c = urlCredentials(v)[0];
  if (!c) return;
  out.add(v);
  if (c.user.length >= TOKEN_USER) out.add(c.user);
}

/** Every secret value in `tree` (strings; redaction ignores very short ones). */
export function collectSecrets(tree: unknown, schema: JSONSchema | undefined = ENV_SCHEMA): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, sch: JSONSchema | undefined, secretName: boolean): void => {
    if (typeof v === 'string') {
      if (sch?.secret === true || secretName) out.add(v.trim());
      if (sch?.secret === 'url') fromUrl(v.trim(), out);
      fromText(v, out);
    } else if (typeof v === 'number' && secretName) {
      out.add(String(v));
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, childSchema(sch, i), secretName));
    } else if (isPlainMap(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, childSchema(sch, k), secretName || isSecretKeyName(k));
    }
  };
  walk(tree, schema, false);
  out.delete('');
  return [...out];
}
