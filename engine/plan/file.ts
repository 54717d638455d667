// Reading and writing plan files. The JSON is written with a fixed key order (types.ts), so the
// same plan gives the same bytes; a file that is not a plan of this version is a one-line
// UsageError naming the file and the key (exit 3).
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { UsageError } from '../errors.js';
import type { Redactor } from '../redact.js';
import { PLAN_KIND, PLAN_VERSION, type SavedPlan } from './types.js';

const DIGESTS = ['changes', 'outcome', 'args', 'contents', 'facts'];
const digests = {
  type: 'object',
  required: ['changes', 'outcome', 'args'],
  properties: Object.fromEntries(DIGESTS.map((k) => [k, { type: 'string' }])),
};
const state = {
  type: 'object',
  required: ['key', 'id', 'name', 'module', 'function', 'sls', 'file', 'line', 'result', 'changes', 'digests'],
  properties: {
    key: { type: 'string' },
    result: { type: ['boolean', 'null'] },
    changes: { type: 'array', items: { type: 'object', required: ['op', 'target'] } },
    digests,
  },
};
const SCHEMA = {
  type: 'object',
  required: ['kind', 'version', 'id', 'created', 'command', 'options', 'hosts'],
  properties: {
    kind: { const: PLAN_KIND },
    version: { const: PLAN_VERSION },
    id: { type: 'string', minLength: 16 },
    sls: { type: 'array', items: { type: 'string' } },
    options: {
      type: 'object',
      required: ['aggregate', 'concurrency'],
      properties: { aggregate: { type: 'boolean' }, concurrency: { type: 'integer', minimum: 1 } },
    },
    hosts: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['host', 'states'],
        properties: {
          host: { type: 'string' },
          pillarOverride: { type: 'string' },
          states: { type: 'array', items: state },
        },
      },
    },
  },
};

let validator: ValidateFunction | undefined;

export function readPlan(file: string): SavedPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the plan (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not a brine plan: ${(e as Error).message}`);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (data && typeof data === 'object' && (data as { kind?: unknown }).kind === PLAN_KIND && version !== PLAN_VERSION) {
    const v = JSON.stringify(version);
    throw new UsageError(`${file}: plan version ${v} is not supported (this brine reads version ${PLAN_VERSION})`);
  }
  validator ??= new Ajv({ allErrors: false, strict: false }).compile(SCHEMA);
  if (!validator(data)) {
    const e = validator.errors![0]!;
    const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top)';
    throw new UsageError(`${file}: not a brine plan: ${at}: ${e.message ?? 'invalid'}`);
  }
  return data as SavedPlan;
}

/** Writes the plan (through the Redactor once more: nothing secret may reach the file). */
export function writePlan(file: string, plan: SavedPlan, redactor: Redactor): void {
  const text = redactor.redact(`${JSON.stringify(plan, null, 2)}\n`);
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`--plan-out: cannot write '${file}' (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
