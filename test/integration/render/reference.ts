// The reference renderer of the differential tests: jinja.py (real Jinja2 + PyYAML) over stdin.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Reference {
  templates: Array<{ ok?: string; err?: string }>;
  files: Array<{ ok?: string; err?: string }>;
  yaml: Array<{ ok?: unknown; err?: string }>;
  pillar_yaml: Array<{ ok?: string; err?: string }>;
}

/** Renders with the real Jinja2 (see jinja.py). */
export function reference(input: {
  dir: string;
  context: Record<string, unknown>;
  templates?: string[];
  files?: Array<{ file: string; ctx: Record<string, unknown> }>;
  yaml?: string[];
  pillar_yaml?: Array<{ yaml: string; template: string }>;
}): Reference {
  const res = spawnSync('python3', [join(dirname(fileURLToPath(import.meta.url)), 'jinja.py')], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (res.status !== 0)
    throw new Error(`python3 with jinja2 and yaml is required (scripts/ci.d/25-render.sh): ${res.stderr || res.error}`);
  return JSON.parse(res.stdout.replace(/\bInfinity\b/g, '"inf"'));
}
