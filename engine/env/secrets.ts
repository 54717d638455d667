// Which values of a pillar/env are secrets, for the Redactor: values under paths the schema marks
// `secret`, values of keys named like secrets (*secret*, *password*, *token*, SECRET_KEY...),
// private key blocks (PGP and PEM) anywhere, the password of a URL, and the values assigned to
// secret-like names inside Python settings text (ecs:settings).
import type { JSONSchema } from '../../modules/contract.js';
import { isPlainMap } from './merge.js';
import { ENV_SCHEMA } from './schema.js';

const SECRET_KEY_NAME = /(secret|passw(or)?d|passwd|token|private|api_?key|^key$|_key$)/i;
const PRIVATE_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----/;
const SETTINGS_ASSIGN = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?)\s*=\s*(['"])(.*?)\2\s*(?:#.*)?$/gm;
const SETTINGS_SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|_KEY\b|KEY$|DSN)/i;

/** True for key names whose values are secrets (db_password, app_secret, token, key...). */
export function isSecretKeyName(name: string): boolean {
  return SECRET_KEY_NAME.test(name);
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

function fromText(s: string, out: Set<string>): void {
  if (PRIVATE_BLOCK.test(s)) out.add(s.trim());
  for (const m of s.matchAll(SETTINGS_ASSIGN)) {
    if (SETTINGS_SECRET_NAME.test(m[1] ?? '') && m[3]) out.add(m[3]);
  }
  // user:password@ in URLs (backup targets, DSNs)
  for (const m of s.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/]+)@/gi)) if (m[1]) out.add(m[1]);
  // key=value option strings (mount options: pass=..., password=...)
  for (const m of s.matchAll(/(?:^|[,\s])(?:pass|password|passwd|secret|token)=([^,\s]+)/gi)) if (m[1]) out.add(m[1]);
}

/** Every secret value in `tree` (strings; redaction ignores very short ones). */
export function collectSecrets(tree: unknown, schema: JSONSchema | undefined = ENV_SCHEMA): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, sch: JSONSchema | undefined, secretName: boolean): void => {
    if (typeof v === 'string') {
      if (sch?.secret === true || secretName) out.add(v.trim());
      fromText(v, out);
    } else if (typeof v === 'number' && secretName) {
      out.add(String(v));
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, childSchema(sch, i), secretName));
    } else if (isPlainMap(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, childSchema(sch, k), secretName || SECRET_KEY_NAME.test(k));
    }
  };
  walk(tree, schema, false);
  out.delete('');
  return [...out];
}
