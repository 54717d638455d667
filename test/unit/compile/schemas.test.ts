// Every state function's schema compiles with the ajv setup production uses (strict), and is valid
// by JSON Schema's meta-schema (a run skips that check to start faster): a misspelt keyword or a
// malformed schema fails here, not silently at a run.
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../../engine/ajv.js';
import { ENV_SCHEMA } from '../../../engine/env/schema.js';
import { registry } from '../../../modules/index.js';

describe('schemas under strict ajv', () => {
  it('every module schema and the env schema compile', () => {
    const ajv = createAjv({ checkSchemas: true });
    const failed: string[] = [];
    let n = 0;
    for (const [m, mod] of Object.entries(registry)) {
      for (const [f, fn] of Object.entries(mod)) {
        n++;
        try {
          ajv.compile(fn.schema);
        } catch (e) {
          failed.push(`${m}.${f}: ${(e as Error).message}`);
        }
      }
    }
    expect(failed).toEqual([]);
    expect(n).toBeGreaterThan(80);
    expect(() => ajv.compile(ENV_SCHEMA)).not.toThrow();
  });

  it('a misspelt keyword is an error', () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } }, additionalProperty: false };
    expect(() => createAjv().compile(schema)).toThrow(/unknown keyword: "additionalProperty"/);
  });

  it('a schema the meta-schema refuses is an error when checked', () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: 'name' };
    expect(() => createAjv({ checkSchemas: true }).compile(schema)).toThrow(/schema is invalid: data\/required/);
  });

  it("the run's setup validates as the checked one does", () => {
    const schema = {
      type: 'object',
      properties: { mode: { type: ['string', 'integer'], octalDigits: true } },
      additionalProperties: false,
    };
    for (const ajv of [createAjv(), createAjv({ checkSchemas: true })]) {
      const v = ajv.compile(schema);
      expect([v({ mode: '0644' }), v({ mode: '0999' }), v({ mdoe: '0644' })]).toEqual([true, false, false]);
    }
  });
});
