// Validators generated at build time for the schemas brine ships (the module functions' and the
// env's), keyed by schemaKey(): a run then compiles no schema. The build (scripts/build.mjs)
// replaces this file's content with the generated code (engine/standalone-validators.ts); run
// from source (tests, tsx) it is empty and every schema is compiled by ajv when first used.
import type { ValidateFunction } from 'ajv';

export const precompiled: Readonly<Record<string, ValidateFunction>> = {};
