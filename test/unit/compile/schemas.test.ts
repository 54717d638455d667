// Every state function's schema compiles with the ajv setup production uses (strict): a misspelt
// keyword fails here, not silently at a run.
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../../engine/ajv.js';
import { ENV_SCHEMA } from '../../../engine/env/schema.js';
import { registry } from '../../../modules/index.js';

describe('schemas under strict ajv', () => {
  it('every module schema and the env schema compile', () => {
    const ajv = createAjv();
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
});
