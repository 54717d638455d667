// The appliance state tree (states/**) renders byte-for-byte as the real Jinja2 renders it, with
// the pillar and grains brine computes for this machine (default env): every SLS and every
// template file. A difference is either a brine bug or a construct Salt would not render the same.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { loadPillar } from '../../../engine/env/pillar.js';
import { readGrains } from '../../../engine/grains.js';
import { LocalHost } from '../../../engine/host/local.js';
import { fileContext, Renderer } from '../../../engine/render/index.js';
import { reference } from './reference.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const STATES = join(ROOT, 'states');

describe('the appliance state tree renders like Salt', async () => {
  const host = new LocalHost();
  const grains = await readGrains(host);
  const { pillar } = await loadPillar({
    pillarDir: join(ROOT, 'pillar'),
    envFile: join(ROOT, 'pillar/default-env.yml'),
    host,
    grains,
    minionId: 'vm',
  });
  // render the appliance branches too
  (pillar.appliance as Record<string, unknown> | undefined) ?? (pillar.appliance = {});
  (pillar.appliance as Record<string, unknown>).enabled = true;
  const files = fg
    .sync('**/*', { cwd: STATES, onlyFiles: true })
    .filter((f) => f.endsWith('.sls') || /\{\{|\{%/.test(readFileSync(join(STATES, f), 'latin1')))
    .filter((f) => !readFileSync(join(STATES, f)).includes(0))
    .sort();
  const ref = reference({
    dir: STATES,
    context: { pillar, grains },
    files: files.map((file) => ({ file, ctx: fileContext(file) })),
  });
  const r = new Renderer({ statesDir: STATES, pillar, grains, minionId: 'vm' });

  it('has a tree to compare', () => {
    expect(files.filter((f) => f.endsWith('.sls')).length).toBeGreaterThan(10);
    expect(ref.files.filter((x) => x.ok !== undefined).length).toBeGreaterThan(10);
  });

  it.each(files.map((f, i) => [f, i] as const))('%s', (file, i) => {
    const want = ref.files[i]!;
    let got: { ok?: string; err?: string };
    try {
      got = { ok: r.renderFile(file) };
    } catch (e) {
      got = { err: (e as Error).message };
    }
    if (want.err !== undefined) expect(got.err, `Jinja2 raised ${want.err}`).toBeDefined();
    else expect(got).toEqual({ ok: want.ok });
  });
});
