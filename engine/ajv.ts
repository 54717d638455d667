// The one ajv setup of brine (module arguments, env files; tests use it too). Strict: a misspelt
// schema keyword is an error when the schema compiles, not a check silently skipped.
import { _, Ajv, type ValidateFunction } from 'ajv';
import type { JSONSchema } from './contract.js';
import { precompiled } from './precompiled.js';
import { schemaKey } from './schema-key.js';

export interface AjvSetup {
  /**
   * Check each schema against JSON Schema's meta-schema before compiling it (the unit tests do, for
   * every schema brine ships). A run does not: the meta-schema's own validator and the optimising
   * passes of the code generator cost more start-up (about 0.1 s per run) than compiling the few
   * schemas a run uses; strict mode still refuses an unknown keyword.
   */
  checkSchemas?: boolean;
  /** Keep each validator's source, for standalone code (engine/standalone-validators.ts, at build time). */
  source?: boolean;
}

// A file mode written as Salt writes it, octal digits up to 07777 (`'0644'`, `644`, `'0o644'`).
export const OCTAL_MODE = /^(0o|0)?[0-7]{1,4}$/;

export function createAjv(o: AjvSetup = {}): Ajv {
  const ajv = new Ajv({
    validateSchema: !!o.checkSchemas,
    code: { optimize: !!o.checkSchemas, source: !!o.source, esm: !!o.source },
    allErrors: true,
    verbose: true,
    strict: true,
    // `required` inside anyOf/if/not names properties declared at the top (pkgs OR name...)
    strictRequired: false,
    allowUnionTypes: true,
    useDefaults: true,
  });
  // `octalDigits: true`: a file mode checked at compile time, not when the state runs. A keyword
  // that generates its code (not a function called at run time), so standalone code can hold it
  ajv.addKeyword({
    keyword: 'octalDigits',
    type: ['string', 'integer'],
    schemaType: 'boolean',
    code(cxt) {
      if (cxt.schema !== true) return;
      const re = cxt.gen.scopeValue('pattern', {
        key: OCTAL_MODE.source,
        ref: OCTAL_MODE,
        code: _`new RegExp(${OCTAL_MODE.source})`,
      });
      cxt.fail(_`!${re}.test(String(${cxt.data}).trim())`);
    },
  });
  // `secret: true`: the env key holds a secret (its value never shown in an error); `secret: 'url'`:
  // a URL that is a secret when it carries credentials (engine/env/secrets.ts)
  ajv.addKeyword({ keyword: 'secret', schemaType: ['boolean', 'string'], metaSchema: { enum: [true, false, 'url'] } });
  return ajv;
}

let shared: Ajv | undefined;

/**
 * A run's validator for a schema brine checks against: the one generated at build time
 * (engine/precompiled.ts), else compiled now by one shared setup (from source: tests, tsx).
 */
export function validatorOf(schema: JSONSchema): ValidateFunction {
  return precompiled[schemaKey(schema)] ?? (shared ??= createAjv()).compile(schema);
}
