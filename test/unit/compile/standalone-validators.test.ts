// The validators generated at build time (ajv's standalone code, engine/standalone-validators.ts)
// answer as the ones a run would compile: the same result, the same errors (keyword, location,
// params, message, schema, data: the messages brine prints are made from them) and the same
// defaults filled in, for every shipped schema and inputs wrong in each way a schema can refuse.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv } from '../../../engine/ajv.js';
import type { JSONSchema } from '../../../engine/contract.js';
import { ENV_SCHEMA } from '../../../engine/env/schema.js';
import { schemaKey } from '../../../engine/schema-key.js';
import { standaloneValidators } from '../../../engine/standalone-validators.js';
import { registry } from '../../../modules/index.js';

const named: Array<[string, JSONSchema]> = [
  ...Object.entries(registry).flatMap(([m, mod]) =>
    Object.entries(mod).map(([f, fn]): [string, JSONSchema] => [`${m}.${f}`, fn.schema]),
  ),
  ['env', ENV_SCHEMA],
];

// the generated module imports ajv's run-time helpers: it is written where node_modules resolves
const dir = join(import.meta.dirname, '../../../.cache', `standalone-test-${process.pid}`);
let generated: Record<string, ValidateFunction>;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'validators.mjs');
  writeFileSync(file, standaloneValidators(named.map(([, s]) => s)));
  generated = (await import(pathToFileURL(file).href)).precompiled;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WRONG: unknown[] = [null, true, 0, -1, 1.5, '', 'x', '0999', 'rwx', '0644', [], ['a', 1], {}, { k: [] }];

/** Inputs that each schema refuses (or takes) in different ways: property by property. */
function inputs(schema: JSONSchema): unknown[] {
  const props = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  const out: unknown[] = [{}, null, 'text', [], { name: 'x', no_such_argument: 1 }, { nmae: 'x' }];
  for (const p of props) for (const w of WRONG) out.push({ name: '/srv/x', [p]: w });
  out.push(Object.fromEntries(props.map((p, i) => [p, WRONG[i % WRONG.length]])));
  return out;
}

describe('validators generated at build time', () => {
  it('cover every shipped schema', () => {
    for (const [, schema] of named) expect(generated[schemaKey(schema)]).toBeTypeOf('function');
  });

  it('answer as the compiled ones, errors and defaults included', () => {
    const ajv = createAjv();
    let compared = 0;
    for (const [name, schema] of named) {
      const compiled = ajv.compile(schema);
      const standalone = generated[schemaKey(schema)]!;
      for (const input of inputs(schema)) {
        const a = structuredClone(input);
        const b = structuredClone(input);
        const got = { ok: standalone(a), errors: standalone.errors ?? null, data: a };
        const want = { ok: compiled(b), errors: compiled.errors ?? null, data: b };
        expect(got, `${name} ${JSON.stringify(input)}`).toEqual(want);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('refuse a file mode that is not octal, as the keyword does', () => {
    const [, schema] = named.find(([n]) => n === 'file.managed')!;
    const v = generated[schemaKey(schema)]!;
    expect(v({ name: '/x', mode: '0644' })).toBe(true);
    expect(v({ name: '/x', mode: '0999' })).toBe(false);
    expect(v.errors?.some((e) => e.keyword === 'octalDigits' && e.instancePath === '/mode')).toBe(true);
  });

  it('a schema changed after the build finds no generated validator', () => {
    const [, schema] = named.find(([n]) => n === 'file.managed')!;
    expect(generated[schemaKey({ ...schema, additionalProperties: true })]).toBeUndefined();
  });
});
