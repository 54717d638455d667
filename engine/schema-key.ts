// The name a JSON schema is known by among the validators generated at build time
// (engine/standalone-validators.ts): a hash of its JSON text, so a schema that differs in any way
// from the one built in finds no validator and is compiled at run time.
import { createHash } from 'node:crypto';
import type { JSONSchema } from './contract.js';

export function schemaKey(schema: JSONSchema): string {
  return `v${createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 40)}`;
}
