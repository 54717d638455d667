// The schemas brine ships, for the validators generated at build time (scripts/build.mjs bundles
// this file and runs it): every module function's and the env's.
import { ENV_SCHEMA } from '../engine/env/schema.js';
import { standaloneValidators } from '../engine/standalone-validators.js';
import { registry } from '../modules/index.js';

export function shippedValidators(): string {
  const schemas = Object.values(registry).flatMap((mod) => Object.values(mod).map((fn) => fn.schema));
  return standaloneValidators([...schemas, ENV_SCHEMA]);
}
