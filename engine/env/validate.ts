// Validates an env against ENV_SCHEMA: the first error becomes a one-line EnvError naming
// file:line, the key path and what is expected; unknown keys come back as warnings.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validatorOf } from '../ajv.js';
import { EnvError } from '../errors.js';
import { lineOf, type ParsedEnv } from './parse.js';
import { ENV_SCHEMA } from './schema.js';
import { isSecretKeyName } from './secrets.js';

// generated at build time (engine/precompiled.ts); from source, compiled on first use (~0.1 s)
let compiled: ValidateFunction | undefined;
function checker(): ValidateFunction {
  if (!compiled) {
    compiled = validatorOf(ENV_SCHEMA);
  }
  return compiled;
}

export interface EnvIssue {
  path: string;
  line?: number;
  message: string;
}

const segs = (instancePath: string): string[] =>
  instancePath === ''
    ? []
    : instancePath
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/** What was found instead, without the value itself when it may be a secret. */
function show(v: unknown, secret: boolean): string {
  if (v === null) return 'null';
  if (secret) return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
  if (typeof v === 'string') return v.length > 40 ? 'a string' : JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${String(v)}`;
}

function describe(e: ErrorObject): { path: string[]; message: string } {
  const path = segs(e.instancePath);
  const parent = e.parentSchema as { description?: string; secret?: boolean | 'url' } | undefined;
  const desc = parent?.description;
  const secret = Boolean(parent?.secret) || path.some((p) => isSecretKeyName(p));
  switch (e.keyword) {
    case 'required':
      return { path: [...path, String(e.params.missingProperty)], message: 'is required but missing' };
    case 'additionalProperties':
      return { path: [...path, String(e.params.additionalProperty)], message: 'unknown key (ignored)' };
    case 'type': {
      const want = String(e.params.type).replace(',', ' or ').replace('object', 'mapping').replace('array', 'list');
      return { path, message: `expected ${desc ?? want}, got ${show(e.data, secret)}` };
    }
    case 'pattern':
      return { path, message: `expected ${desc ?? `text matching ${String(e.params.pattern)}`}` };
    default:
      return { path, message: `expected ${desc ?? e.message ?? 'something else'}` };
  }
}

/** Throws EnvError on the first real error; returns the warnings (unknown keys). */
export function validateEnv(parsed: ParsedEnv, file: string): EnvIssue[] {
  const check = checker();
  if (check(parsed.tree)) return [];
  const warnings: EnvIssue[] = [];
  const errors: EnvIssue[] = [];
  for (const e of check.errors ?? []) {
    if (e.keyword === 'if' || e.keyword === 'anyOf') continue; // the branch errors say more
    const d = describe(e);
    const issue = { path: d.path.join('.') || '(top)', line: lineOf(parsed, d.path), message: d.message };
    (e.keyword === 'additionalProperties' ? warnings : errors).push(issue);
  }
  const first = errors[0];
  if (first) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new EnvError(`${file}${first.line ? `:${first.line}` : ''}`, `${first.path}: ${first.message}${more}`);
  }
  return warnings;
}
