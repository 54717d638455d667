// Dry runs read the states' facts and onlyif/unless checks ahead of their turns (read-ahead.ts):
// the reads overlap, the results and the order of the report stay what the in-order run gives.
import { beforeEach, describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { LocalHost } from '../../../engine/host/local.js';
import { runCompiled } from '../../../engine/run/index.js';
import type { RunReport } from '../../../engine/run/types.js';
import { decl, high } from '../compile/highdata-builder.js';
import { events, probeRegistry, reset, world } from './probe.js';

const host = new LocalHost();

const run = (decls: ReturnType<typeof decl>[], test: boolean): Promise<RunReport> =>
  runCompiled(compile(high(decls), probeRegistry), { host, statesDir: '/nonexistent', test });
const gathers = (name: string) => events.filter((e) => e.what === 'gather' && e.name === name);

beforeEach(reset);

describe('read-ahead (dry runs)', () => {
  const three = () => [
    decl('a', 'probe.value', { value: '1', ms: 150 }),
    decl('b', 'probe.value', { value: '2', ms: 150 }),
    decl('c', 'probe.value', { value: '3', ms: 150, require: [{ probe: 'a' }] }),
  ];

  it('gathers the states at once, and reports in order what the in-order run reports', async () => {
    world.set('b', '2');
    const r = await run(three(), true);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => gathers(n)[0]!);
    expect(b.start).toBeLessThan(a.end);
    expect(c.start).toBeLessThan(a.end);
    expect(r.results.map((x) => [x.id, x.result, x.comment])).toEqual([
      ['a', null, 'would change (1)'],
      ['b', true, 'Already in the desired state'],
      ['c', null, 'would change (1) after probe: a'],
    ]);
    expect(r.results.map((x) => x.runNum)).toEqual([0, 1, 2]);
  });

  it('a real run still reads each state in its turn', async () => {
    await run(three(), false);
    const [a, b] = ['a', 'b'].map((n) => gathers(n)[0]!);
    expect(b.start).toBeGreaterThanOrEqual(a.end);
  });

  it('a state that may not run (onchanges, onfail) is read in its turn only, so not at all here', async () => {
    world.set('up', 'x');
    const r = await run(
      [
        decl('up', 'probe.value', { value: 'x' }),
        decl('hook', 'probe.value', { value: '1', onchanges: [{ probe: 'up' }] }),
        decl('rescue', 'probe.value', { value: '1', onfail: [{ probe: 'up' }] }),
      ],
      true,
    );
    expect(r.results.map((x) => x.result)).toEqual([true, true, true]);
    expect(gathers('hook')).toHaveLength(0);
    expect(gathers('rescue')).toHaveLength(0);
  });

  it('onlyif/unless are read ahead; a state they skip is not gathered', async () => {
    const r = await run(
      [
        decl('no', 'probe.value', { value: '1', onlyif: 'false' }),
        decl('un', 'probe.value', { value: '1', unless: 'true' }),
        decl('yes', 'probe.value', { value: '1', onlyif: 'true', unless: 'false' }),
      ],
      true,
    );
    expect(r.results.map((x) => [x.result, x.comment])).toEqual([
      [true, 'onlyif condition is false: false'],
      [true, 'unless condition is true: true'],
      [null, 'would change (1)'],
    ]);
    expect(events.filter((e) => e.what === 'gather').map((e) => e.name)).toEqual(['yes']);
  });

  it('a read that fails is reported in its turn, as it was', async () => {
    const r = await run(
      [
        decl('up', 'probe.value', { value: '1', ms: 100 }),
        decl('missing', 'probe.value', { value: '1', fail: 'missing', require: [{ probe: 'up' }] }),
        decl('broken', 'probe.value', { value: '1', fail: 'gather' }),
      ],
      true,
    );
    expect(r.results.map((x) => [x.id, x.result, x.comment])).toEqual([
      ['up', null, 'would change (1)'],
      ['missing', null, 'would change after probe: up'],
      ['broken', false, 'broken: cannot read'],
    ]);
  });
});
