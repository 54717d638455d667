// Fuzz: a few hundred seeded mutations of a valid tree (SLS, top, pillar, env.yml, templates) run
// through the real pipeline: env -> pillar -> top -> render -> load -> compile -> the file
// templates a run renders. Every input either compiles or fails as a user error: a BrineError
// with exit code 3 whose message names a file, no stack, no internal error, no hang.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { BASE_TREE, mutate, prng, scratchBase, TARGETS } from './mutate.js';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrineError } from '../../../engine/errors.js';
import { loadPillar } from '../../../engine/env/pillar.js';
import { LocalHost } from '../../../engine/host/local.js';
import { compileStates } from '../../../engine/pipeline.js';
import { registry } from '../../../modules/index.js';

const REPO = join(import.meta.dirname, '../../..');
const CASES = 250;
const SEED = 20261202;
const GRAINS = { id: 'm1', fqdn: 'm1', os: 'Debian', os_family: 'Debian', osrelease: '12' };
const PER_CASE_MS = 8000;

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratchBase(), 'brine-fuzz-'));
  made.push(dir);
  copyFileSync(join(REPO, 'pillar/default-env.yml'), join(dir, 'env.yml'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** The pipeline up to the first change; throws what the CLI would report. */
async function pipeline(dir: string): Promise<number> {
  const host = new LocalHost();
  const loaded = await loadPillar({
    pillarDir: join(dir, 'pillar'),
    envFile: join(dir, 'env.yml'),
    host,
    grains: GRAINS,
    minionId: 'm1',
    vars: {},
  });
  const c = compileStates({
    statesDir: join(dir, 'states'),
    registry,
    pillar: loaded.pillar,
    grains: GRAINS,
    minionId: 'm1',
  });
  for (const chunk of c.compiled.chunks) {
    const { source, template, context } = chunk.args as { source?: unknown; template?: unknown; context?: unknown };
    if (template === 'jinja' && typeof source === 'string') {
      const ctx =
        context && typeof context === 'object' && !Array.isArray(context) ? (context as Record<string, unknown>) : {};
      c.renderer.renderFile(source, ctx);
    }
  }
  return c.compiled.chunks.length;
}

type Outcome = { ok: true; chunks: number } | { ok: false; error: unknown };

async function outcome(dir: string): Promise<Outcome> {
  try {
    return { ok: true, chunks: await pipeline(dir) };
  } catch (error) {
    return { ok: false, error };
  }
}

const NAMES_A_FILE = /(?:^|[\s/'"(])[\w.@-]*\.(?:sls|yml|j2|jinja)\b/;

describe('fuzz: hostile and broken inputs through the real pipeline', () => {
  const prevBudget = process.env.BRINE_RENDER_TIMEOUT;
  beforeAll(() => {
    process.env.BRINE_RENDER_TIMEOUT = '2';
  });
  afterAll(() => {
    if (prevBudget === undefined) delete process.env.BRINE_RENDER_TIMEOUT;
    else process.env.BRINE_RENDER_TIMEOUT = prevBudget;
  });

  it('the unmutated tree compiles (the fuzz starts from valid input)', async () => {
    const r = await outcome(writeTree(BASE_TREE));
    expect(r.ok ? r.chunks : r.error).toBe(7);
  });

  it(`${CASES} seeded mutations: each compiles or is an exit-3 error naming a file, no stack, no hang`, async () => {
    const rand = prng(SEED);
    const failures: string[] = [];
    let valid = 0;
    let errors = 0;
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const target = TARGETS[Math.floor(rand() * TARGETS.length)]!;
      const files = { ...BASE_TREE };
      const dir = writeTree(files);
      const original =
        target === 'env.yml' ? (await import('node:fs')).readFileSync(join(dir, 'env.yml'), 'utf8') : files[target]!;
      const text = mutate(rand, original);
      writeFileSync(join(dir, target), text);
      const t0 = Date.now();
      const r = await outcome(dir);
      const ms = Date.now() - t0;
      slowest = Math.max(slowest, ms);
      const label = `case ${i} (${target}, ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}...` : text)})`;
      if (ms > PER_CASE_MS) failures.push(`${label}: took ${ms} ms`);
      if (process.env.FUZZ_DEBUG && ms > 300) console.log(`SLOW ${ms} ${label.slice(0, 200)}`);
      if (r.ok) {
        valid++;
        continue;
      }
      errors++;
      const e = r.error;
      if (!(e instanceof BrineError)) {
        failures.push(`${label}: not a brine error: ${e instanceof Error ? e.stack : String(e)}`);
        continue;
      }
      if (e.exitCode !== 3) failures.push(`${label}: exit code ${e.exitCode}: ${e.message}`);
      if (!NAMES_A_FILE.test(e.message)) failures.push(`${label}: names no file: ${e.message}`);
      if (
        /\n\s+at |internal error|Cannot read properties|Maximum call stack|is not a function|undefined \(reading/.test(
          e.message,
        )
      )
        failures.push(`${label}: engine message: ${e.message}`);
      if (e.message.length > 2000 || e.message.split('\n').length > 3)
        failures.push(`${label}: not one short line: ${e.message.slice(0, 300)}`);
    }
    // the mix is meaningful: most mutations break the input, some leave it valid
    expect(failures, failures.slice(0, 8).join('\n\n')).toEqual([]);
    expect(errors).toBeGreaterThan(CASES / 3);
    expect(valid).toBeGreaterThan(5);
    expect(slowest).toBeLessThan(PER_CASE_MS);
  }, 240_000);
});
