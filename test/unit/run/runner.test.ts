import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compile } from '../../../engine/compile/index.js';
import { LocalHost } from '../../../engine/host/local.js';
import { runCompiled } from '../../../engine/run/index.js';
import type { RunReport, StateResult } from '../../../engine/run/types.js';
import { decl, high } from '../compile/highdata-builder.js';
import { events, install, reset, world } from './probe.js';

const host = new LocalHost();

async function run(decls: ReturnType<typeof decl>[], o: { test?: boolean; concurrency?: number; failhard?: boolean } = {}): Promise<RunReport> {
  return runCompiled(compile(high(decls)), { host, statesDir: '/nonexistent', test: !!o.test, concurrency: o.concurrency, failhard: o.failhard });
}
const byId = (r: RunReport, id: string, fun?: string): StateResult => r.results.find((x) => x.id === id && (!fun || x.fun === fun))!;
const ev = (what: string, name: string) => events.find((e) => e.what === what && e.name === name)!;

beforeAll(install);
beforeEach(reset);

describe('runner: scheduling', () => {
  it('runs independent states in parallel (their gathers overlap)', async () => {
    const r = await run([decl('a', 'probe.value', { value: '1', ms: 300 }), decl('b', 'probe.value', { value: '1', ms: 300 })]);
    expect(r.results.map((x) => x.result)).toEqual([true, true]);
    const a = ev('gather', 'a');
    const b = ev('gather', 'b');
    expect(b.start).toBeLessThan(a.end);
    expect(a.start).toBeLessThan(b.end);
  });

  it('bounds parallelism by --concurrency', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    await run(ids.map((id) => decl(id, 'probe.value', { ms: 150 })), { concurrency: 2 });
    const gathers = events.filter((e) => e.what === 'gather');
    expect(gathers).toHaveLength(6);
    const maxOverlap = Math.max(...gathers.map((g) => gathers.filter((h) => h.start <= g.start && g.start < h.end).length));
    expect(maxOverlap).toBe(2);
  });

  it('serialises states that share a lock key', async () => {
    await run([decl('p1', 'probe.locked', { value: 'x', ms: 150 }), decl('p2', 'probe.locked', { value: 'x', ms: 150 })]);
    const [x, y] = events.filter((e) => e.name === 'p1' || e.name === 'p2').sort((m, n) => m.start - n.start);
    const p1 = events.filter((e) => e.name === 'p1');
    const p2 = events.filter((e) => e.name === 'p2');
    expect(x && y).toBeTruthy();
    const p1End = Math.max(...p1.map((e) => e.end));
    const p2Start = Math.min(...p2.map((e) => e.start));
    const p2End = Math.max(...p2.map((e) => e.end));
    const p1Start = Math.min(...p1.map((e) => e.start));
    expect(p1End <= p2Start || p2End <= p1Start).toBe(true);
  });

  it('reports in declaration order whatever the execution order', async () => {
    const r = await run([decl('slow', 'probe.value', { value: '1', ms: 250 }), decl('fast', 'probe.value', { value: '1' })]);
    expect(r.results.map((x) => x.id)).toEqual(['slow', 'fast']);
    expect(byId(r, 'fast').runNum).toBeGreaterThanOrEqual(0);
    expect(ev('apply', 'fast').end).toBeLessThan(ev('apply', 'slow').end);
  });

  it('runs a required state after its requisite', async () => {
    await run([decl('late', 'probe.value', { value: '1', require: [{ probe: 'early' }] }), decl('early', 'probe.value', { value: '1', ms: 200 })]);
    expect(ev('gather', 'late').start).toBeGreaterThanOrEqual(ev('apply', 'early').end);
  });
});

describe('runner: failures', () => {
  it('a failed state skips its dependents; independent states still run; one-line comment', async () => {
    const r = await run([
      decl('bad', 'probe.value', { value: '1', fail: 'apply' }),
      decl('dep', 'probe.value', { value: '1', require: [{ probe: 'bad' }] }),
      decl('dep2', 'probe.value', { value: '1', require: ['dep'] }),
      decl('free', 'probe.value', { value: '1' }),
    ]);
    expect(byId(r, 'bad')).toMatchObject({ result: false, comment: 'disk on fire |   at somewhere (stack)'.replace(' |   ', ' | ') });
    expect(byId(r, 'bad').comment).not.toContain('\n');
    expect(byId(r, 'dep')).toMatchObject({ result: false, comment: 'One or more requisite failed: probe: bad' });
    expect(byId(r, 'dep2')).toMatchObject({ result: false, comment: 'One or more requisite failed: probe: dep' });
    expect(byId(r, 'free').result).toBe(true);
    expect(world.get('dep')).toBeUndefined();
    expect(world.get('free')).toBe('1');
  });

  it('require_any: one good target is enough', async () => {
    const r = await run([
      decl('bad', 'probe.value', { value: '1', fail: 'apply' }),
      decl('good', 'probe.value', { value: '1' }),
      decl('dep', 'probe.value', { value: '1', require_any: [{ probe: 'bad' }, { probe: 'good' }] }),
    ]);
    expect(byId(r, 'dep').result).toBe(true);
  });

  it('fails a state that does not converge', async () => {
    const r = await run([decl('s', 'probe.value', { value: '1', stuck: true })]);
    expect(byId(r, 's')).toMatchObject({ result: false, comment: 'did not converge: still to change: s' });
  });

  it('failhard stops scheduling after the first failure', async () => {
    const r = await run(
      [decl('bad', 'probe.value', { value: '1', fail: 'apply', failhard: true }), decl('next', 'probe.value', { value: '1', require: ['bad'] }), decl('after', 'probe.value', { value: '1', order: 'last' })],
      { concurrency: 1 },
    );
    expect(r.aborted).toBe('probe: bad');
    expect(r.results.map((x) => x.id)).toEqual(['bad']);
    expect(world.size).toBe(0);
  });

  it('global failhard (--failhard) does the same for any state', async () => {
    const r = await run([decl('bad', 'probe.value', { value: '1', fail: 'gather' }), decl('next', 'probe.value', { value: '1', order: 'last' })], { failhard: true });
    expect(r.aborted).toBe('probe: bad');
    expect(world.get('next')).toBeUndefined();
  });
});

describe('runner: requisite semantics', () => {
  it('watch: a changed target triggers refresh; unchanged does not', async () => {
    let r = await run([decl('conf', 'probe.value', { value: 'v1' }), decl('svc', 'probe.service', { watch: [{ probe: 'conf' }] })]);
    expect(byId(r, 'svc')).toMatchObject({ result: true, changes: [{ op: 'run', target: 'svc', after: 'restart' }] });
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(1);
    reset();
    world.set('conf', 'v1');
    r = await run([decl('conf', 'probe.value', { value: 'v1' }), decl('svc', 'probe.service', { watch: [{ probe: 'conf' }] })]);
    expect(byId(r, 'svc').changes).toEqual([]);
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });

  it('watch: no refresh when the state itself changed (like Salt: a fresh start is not restarted)', async () => {
    const r = await run([decl('conf', 'probe.value', { value: 'v1' }), decl('svc', 'probe.service', { value: 'running', watch: [{ probe: 'conf' }] })]);
    expect(byId(r, 'svc').changes).toHaveLength(1);
    expect(byId(r, 'svc').changes[0]!.op).toBe('create');
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });

  it('watch: a change that is not a restart (say enabling) still restarts, in the dry run too', async () => {
    const decls = () => [decl('conf', 'probe.value', { value: 'v1' }), decl('svc', 'probe.unit', { value: 'enabled', watch: [{ probe: 'conf' }] })];
    const t = await run(decls(), { test: true });
    expect(byId(t, 'svc')).toMatchObject({ result: null, comment: 'would change (1) and restart (watched probe: conf would change)' });
    expect(byId(t, 'svc').changes.map((c) => c.op)).toEqual(['create', 'run']);
    expect(world.size).toBe(0);
    const r = await run(decls());
    expect(byId(r, 'svc').changes.map((c) => `${c.op}:${String(c.after)}`)).toEqual(['create:enabled', 'run:restart']);
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(1);
  });

  it('watch: a planned start covers the restart (refreshCoveredBy)', async () => {
    const r = await run([decl('conf', 'probe.value', { value: 'v1' }), decl('svc', 'probe.unit', { value: 'running', watch: [{ probe: 'conf' }] })]);
    expect(byId(r, 'svc').changes.map((c) => c.op)).toEqual(['create']);
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });

  it('watch on a function without refresh named wait runs only when the target changed', async () => {
    const { registry } = await import('../../../modules/index.js');
    registry.probe!.wait = registry.probe!.value!;
    world.set('conf', 'same');
    let r = await run([decl('conf', 'probe.value', { value: 'same' }), decl('w', 'probe.wait', { value: 'ran', watch: [{ probe: 'conf' }] })]);
    expect(byId(r, 'w')).toMatchObject({ result: true, comment: 'State was not run because none of the watched states changed' });
    expect(world.get('w')).toBeUndefined();
    r = await run([decl('conf', 'probe.value', { value: 'new' }), decl('w', 'probe.wait', { value: 'ran', watch: [{ probe: 'conf' }] })]);
    expect(world.get('w')).toBe('ran');
  });

  it('onchanges: runs only when a target changed', async () => {
    world.set('t', 'x');
    let r = await run([decl('t', 'probe.value', { value: 'x' }), decl('o', 'probe.value', { value: '1', onchanges: [{ probe: 't' }] })]);
    expect(byId(r, 'o')).toMatchObject({ result: true, comment: 'State was not run because none of the onchanges reqs changed', changes: [] });
    r = await run([decl('t', 'probe.value', { value: 'y' }), decl('o', 'probe.value', { value: '1', onchanges: [{ probe: 't' }] })]);
    expect(byId(r, 'o').changes).toHaveLength(1);
    expect(world.get('o')).toBe('1');
  });

  it('onfail: runs only when a target failed, and is not itself skipped by that failure', async () => {
    let r = await run([decl('t', 'probe.value', { value: '1' }), decl('rescue', 'probe.value', { value: '1', onfail: [{ probe: 't' }] })]);
    expect(byId(r, 'rescue')).toMatchObject({ result: true, comment: 'State was not run because onfail req did not change' });
    reset();
    r = await run([decl('t', 'probe.value', { value: '1', fail: 'apply' }), decl('rescue', 'probe.value', { value: '1', onfail: [{ probe: 't' }] })]);
    expect(byId(r, 'rescue')).toMatchObject({ result: true });
    expect(world.get('rescue')).toBe('1');
  });

  it('prereq: runs before the target only if the target would change', async () => {
    let r = await run([decl('target', 'probe.value', { value: 'new' }), decl('pre', 'probe.value', { value: 'done', prereq: [{ probe: 'target' }] })]);
    expect(world.get('pre')).toBe('done');
    expect(ev('apply', 'pre').end).toBeLessThanOrEqual(ev('apply', 'target').start);
    expect(byId(r, 'target').result).toBe(true);
    reset();
    world.set('target', 'new');
    r = await run([decl('target', 'probe.value', { value: 'new' }), decl('pre', 'probe.value', { value: 'done', prereq: [{ probe: 'target' }] })]);
    expect(byId(r, 'pre')).toMatchObject({ result: true, comment: 'No changes: none of the prereq states would change' });
    expect(world.get('pre')).toBeUndefined();
  });

  it('prereq: a failed prereq state stops the target', async () => {
    const r = await run([decl('target', 'probe.value', { value: 'new' }), decl('pre', 'probe.value', { value: 'x', fail: 'apply', prereq_in: [] , prereq: [{ probe: 'target' }] })]);
    expect(byId(r, 'target')).toMatchObject({ result: false, comment: 'One or more requisite failed: probe: pre' });
    expect(world.get('target')).toBeUndefined();
  });

  it('listen: refreshes at the end of the run, after everything else', async () => {
    const r = await run([
      decl('svc', 'probe.service', { listen: [{ probe: 'conf' }] }),
      decl('conf', 'probe.value', { value: 'v1' }),
      decl('other', 'probe.value', { value: 'v1', ms: 100 }),
    ]);
    expect(r.results.map((x) => `${x.id}:${x.fun}`)).toEqual(['svc:service', 'conf:value', 'other:value', 'svc:mod_watch']);
    expect(byId(r, 'svc', 'mod_watch')).toMatchObject({ result: true, changes: [{ op: 'run', after: 'restart' }] });
    expect(ev('refresh', 'svc').start).toBeGreaterThanOrEqual(ev('apply', 'other').end);
  });

  it('onlyif / unless / creates run through the host', async () => {
    const r = await run([
      decl('no', 'probe.value', { value: '1', onlyif: 'false' }),
      decl('yes', 'probe.value', { value: '1', onlyif: ['true'], unless: 'test -e /nonexistent-brine' }),
      decl('un', 'probe.value', { value: '1', unless: ['true', 'true'] }),
      decl('cr', 'probe.value', { value: '1', creates: '/' }),
    ]);
    expect(byId(r, 'no')).toMatchObject({ result: true, comment: 'onlyif condition is false: false' });
    expect(byId(r, 'yes').changes).toHaveLength(1);
    expect(byId(r, 'un').comment).toBe('unless condition is true: true; true');
    expect(byId(r, 'cr').comment).toBe('All files in creates exist: /');
    expect([...world.keys()]).toEqual(['yes']);
  });
});

describe('runner: test mode', () => {
  it('reports null for pending changes and changes nothing', async () => {
    world.set('same', 'x');
    const r = await run([decl('new', 'probe.value', { value: '1' }), decl('same', 'probe.value', { value: 'x' })], { test: true });
    expect(byId(r, 'new')).toMatchObject({ result: null, changes: [{ op: 'create', target: 'new', after: '1' }] });
    expect(byId(r, 'same').result).toBe(true);
    expect(world.get('new')).toBeUndefined();
    expect(events.filter((e) => e.what === 'apply')).toHaveLength(0);
  });

  it('a watcher of a would-change state says it would restart', async () => {
    const r = await run([decl('conf', 'probe.value', { value: 'v2' }), decl('svc', 'probe.service', { watch: [{ probe: 'conf' }] })], { test: true });
    expect(byId(r, 'svc')).toMatchObject({ result: null, comment: 'would restart (watched probe: conf would change)', changes: [{ op: 'run', target: 'svc', after: 'restart' }] });
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });

  it('a downstream check that fails because of a would-change upstream reports "would change after"', async () => {
    const r = await run([decl('up', 'probe.value', { value: '1' }), decl('down', 'probe.value', { value: '1', fail: 'gather', require: [{ probe: 'up' }] })], { test: true });
    expect(byId(r, 'down')).toMatchObject({ result: null, comment: 'would change after probe: up' });
  });

  it('without a pending upstream the same error is a failure', async () => {
    const r = await run([decl('down', 'probe.value', { value: '1', fail: 'gather' })], { test: true });
    expect(byId(r, 'down')).toMatchObject({ result: false, comment: 's: cannot read'.replace('s:', 'down:') });
  });

  it('onchanges downstream of a would-change state is planned, not skipped', async () => {
    const r = await run([decl('t', 'probe.value', { value: 'y' }), decl('o', 'probe.value', { value: '1', onchanges: [{ probe: 't' }] })], { test: true });
    expect(byId(r, 'o').result).toBeNull();
  });

  it('listen in test mode says what would happen', async () => {
    const r = await run([decl('svc', 'probe.service', { listen: [{ probe: 'conf' }] }), decl('conf', 'probe.value', { value: 'v1' })], { test: true });
    expect(byId(r, 'svc', 'mod_watch')).toMatchObject({ result: null, comment: 'would restart (listening to probe: conf)' });
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });
});

describe('runner: batched facts', () => {
  it('a no-op run reads facts with one gatherMany per function', async () => {
    for (const k of ['a', 'b', 'c']) world.set(k, '1');
    const r = await run(['a', 'b', 'c'].map((id) => decl(id, 'probe.batched', { value: '1' })));
    expect(r.results.every((x) => x.result === true && !x.changes.length)).toBe(true);
    expect(events.filter((e) => e.what === 'gatherMany')).toHaveLength(1);
    expect(events.filter((e) => e.what === 'gather')).toHaveLength(0);
  });

  it('after the first apply, states gather fresh facts', async () => {
    const r = await run([decl('a', 'probe.batched', { value: '1' }), decl('b', 'probe.batched', { value: '1', require: [{ probe: 'a' }] })]);
    expect(r.results.map((x) => x.result)).toEqual([true, true]);
    // a used the batch; b started after a applied: fresh gather (plus the verify gathers)
    expect(events.filter((e) => e.what === 'gather' && e.name === 'b').length).toBe(2);
    expect(events.filter((e) => e.what === 'gather' && e.name === 'a').length).toBe(1);
  });
});
