import { beforeEach, describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { LocalHost } from '../../../engine/host/local.js';
import type { ExecOptions, Host } from '../../../engine/host/host.js';
import { runCompiled } from '../../../engine/run/index.js';
import type { RunReport, StateResult } from '../../../engine/run/types.js';
import { decl, high } from '../compile/highdata-builder.js';
import { events, probeRegistry, reset, world } from './probe.js';

const host = new LocalHost();

async function run(
  decls: ReturnType<typeof decl>[],
  o: { test?: boolean; concurrency?: number; failhard?: boolean } = {},
): Promise<RunReport> {
  return runCompiled(compile(high(decls), probeRegistry), {
    host,
    statesDir: '/nonexistent',
    test: !!o.test,
    concurrency: o.concurrency,
    failhard: o.failhard,
  });
}
const byId = (r: RunReport, id: string, fun?: string): StateResult =>
  r.results.find((x) => x.id === id && (!fun || x.fun === fun))!;
const ev = (what: string, name: string) => events.find((e) => e.what === what && e.name === name)!;

beforeEach(reset);

describe('runner: scheduling', () => {
  it("applies in Salt's order by default: declaration order, one state at a time", async () => {
    const r = await run([
      decl('a', 'probe.value', { value: '1', ms: 120 }),
      decl('b', 'probe.value', { value: '1', ms: 10 }),
      decl('c', 'probe.value', { value: '1', ms: 60 }),
    ]);
    expect(r.results.map((x) => x.result)).toEqual([true, true, true]);
    const applies = events.filter((e) => e.what === 'apply');
    expect(applies.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(ev('apply', 'b').start).toBeGreaterThanOrEqual(ev('apply', 'a').end);
    expect(ev('gather', 'c').start).toBeGreaterThanOrEqual(ev('apply', 'b').end);
    expect(r.results.map((x) => x.runNum)).toEqual([0, 1, 2]);
  });

  it("a requisite runs before its dependent, which keeps its place otherwise (Salt's state_auto_order)", async () => {
    const r = await run([
      decl('first', 'probe.value', { value: '1' }),
      decl('dep', 'probe.value', { value: '1', require: [{ probe: 'needed' }] }),
      decl('middle', 'probe.value', { value: '1' }),
      decl('needed', 'probe.value', { value: '1' }),
    ]);
    const byRun = [...r.results].sort((x, y) => x.runNum - y.runNum).map((x) => x.id);
    expect(byRun).toEqual(['first', 'needed', 'dep', 'middle']);
    expect(r.results.map((x) => x.id)).toEqual(['first', 'dep', 'middle', 'needed']);
  });

  it('parallel: True lets the run go on while the state applies; its dependents wait for it', async () => {
    await run([
      decl('slow', 'probe.value', { value: '1', ms: 250, parallel: true }),
      decl('next', 'probe.value', { value: '1', ms: 10 }),
      decl('dep', 'probe.value', { value: '1', require: [{ probe: 'slow' }] }),
    ]);
    expect(ev('apply', 'next').end).toBeLessThan(ev('apply', 'slow').end);
    expect(ev('gather', 'dep').start).toBeGreaterThanOrEqual(ev('apply', 'slow').end);
  });

  it('--concurrency N > 1 runs independent states in parallel (their gathers overlap)', async () => {
    const r = await run(
      [decl('a', 'probe.value', { value: '1', ms: 300 }), decl('b', 'probe.value', { value: '1', ms: 300 })],
      { concurrency: 4 },
    );
    expect(r.results.map((x) => x.result)).toEqual([true, true]);
    const a = ev('gather', 'a');
    const b = ev('gather', 'b');
    expect(b.start).toBeLessThan(a.end);
    expect(a.start).toBeLessThan(b.end);
  });

  it('bounds parallelism by --concurrency', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    await run(
      ids.map((id) => decl(id, 'probe.value', { ms: 150 })),
      { concurrency: 2 },
    );
    const gathers = events.filter((e) => e.what === 'gather');
    expect(gathers).toHaveLength(6);
    const maxOverlap = Math.max(
      ...gathers.map((g) => gathers.filter((h) => h.start <= g.start && g.start < h.end).length),
    );
    expect(maxOverlap).toBe(2);
  });

  it('serialises states that share a lock key', async () => {
    await run(
      [decl('p1', 'probe.locked', { value: 'x', ms: 150 }), decl('p2', 'probe.locked', { value: 'x', ms: 150 })],
      { concurrency: 4 },
    );
    const p1 = events.filter((e) => e.name === 'p1');
    const p2 = events.filter((e) => e.name === 'p2');
    expect(p1.map((e) => e.what)).toEqual(['gather', 'apply', 'gather']);
    expect(p2.map((e) => e.what)).toEqual(['gather', 'apply', 'gather']);
    const p1End = Math.max(...p1.map((e) => e.end));
    const p2Start = Math.min(...p2.map((e) => e.start));
    const p2End = Math.max(...p2.map((e) => e.end));
    const p1Start = Math.min(...p1.map((e) => e.start));
    expect(p1End <= p2Start || p2End <= p1Start).toBe(true);
  });

  it('reports in declaration order whatever the execution order', async () => {
    const r = await run(
      [decl('slow', 'probe.value', { value: '1', ms: 250 }), decl('fast', 'probe.value', { value: '1' })],
      { concurrency: 4 },
    );
    expect(r.results.map((x) => x.id)).toEqual(['slow', 'fast']);
    // runNum counts in start order: slow started first
    expect([byId(r, 'slow').runNum, byId(r, 'fast').runNum]).toEqual([0, 1]);
    expect(ev('apply', 'fast').end).toBeLessThan(ev('apply', 'slow').end);
  });

  it('runs a required state after its requisite', async () => {
    await run([
      decl('late', 'probe.value', { value: '1', require: [{ probe: 'early' }] }),
      decl('early', 'probe.value', { value: '1', ms: 200 }),
    ]);
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
    expect(byId(r, 'bad')).toMatchObject({
      result: false,
      comment: 'disk on fire |   at somewhere (stack)'.replace(' |   ', ' | '),
    });
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
      [
        decl('bad', 'probe.value', { value: '1', fail: 'apply', failhard: true }),
        decl('next', 'probe.value', { value: '1', require: ['bad'] }),
        decl('after', 'probe.value', { value: '1', order: 'last' }),
      ],
      { concurrency: 1 },
    );
    expect(r.aborted).toBe('probe: bad');
    expect(r.results.map((x) => x.id)).toEqual(['bad']);
    expect(world.size).toBe(0);
  });

  it('global failhard (--failhard) does the same for any state', async () => {
    const r = await run(
      [
        decl('bad', 'probe.value', { value: '1', fail: 'gather' }),
        decl('next', 'probe.value', { value: '1', order: 'last' }),
      ],
      { failhard: true },
    );
    expect(r.aborted).toBe('probe: bad');
    expect(world.get('next')).toBeUndefined();
  });
});

describe('runner: retry', () => {
  it('runs a failing state again until it succeeds, keeping what each attempt said', async () => {
    const r = await run([
      decl('flaky', 'probe.value', { value: 'v', failTimes: 2, retry: { attempts: 3, interval: 0.01 } }),
    ]);
    expect(byId(r, 'flaky').result).toBe(true);
    expect(byId(r, 'flaky').comment).toMatch(
      /^attempt 1 of 3: result false: .*not yet \(1\); attempt 2 of 3: result false: .*not yet \(2\); attempt 3 of 3: /,
    );
    expect(world.get('flaky')).toBe('v');
  });

  it('gives up after the attempts and fails; its dependents are skipped', async () => {
    const r = await run([
      decl('flaky', 'probe.value', { value: 'v', failTimes: 5, retry: { attempts: 2, interval: 0 } }),
      decl('after', 'probe.value', { value: 'x', require: [{ probe: 'flaky' }] }),
    ]);
    expect(byId(r, 'flaky').result).toBe(false);
    expect(byId(r, 'flaky').comment).toMatch(/^attempt 1 of 2: .*; attempt 2 of 2: .*not yet \(2\)/);
    expect(byId(r, 'after').result).toBe(false);
    expect(world.has('after')).toBe(false);
  });

  it('retry: True is two attempts; the dry run never retries', async () => {
    const t = await run([decl('flaky', 'probe.value', { value: 'v', failTimes: 1, retry: true })], { test: true });
    expect(byId(t, 'flaky')).toMatchObject({ result: null, comment: 'would change (1)' });
    expect(events.filter((e) => e.what === 'apply')).toHaveLength(0);
  });

  it('does not retry a state whose requisite failed', async () => {
    const r = await run([
      decl('broken', 'probe.value', { value: 'v', fail: 'apply' }),
      decl('dep', 'probe.value', { value: 'x', require: [{ probe: 'broken' }], retry: { attempts: 5, interval: 10 } }),
    ]);
    expect(byId(r, 'dep')).toMatchObject({ result: false });
    expect(byId(r, 'dep').comment).not.toMatch(/attempt/);
  });

  it('a bad retry spec is a compile error at its line', async () => {
    expect(() => compile(high([decl('x', 'probe.value', { retry: { attempts: 0 } })]), probeRegistry)).toThrow(
      /main\.sls:\d+: .*retry: 'attempts' must be a whole number/,
    );
    expect(() => compile(high([decl('x', 'probe.value', { retry: { tries: 2 } })]), probeRegistry)).toThrow(
      /retry: unknown key 'tries'/,
    );
  });
});

describe('runner: requisite semantics', () => {
  it('watch: a changed target triggers refresh; unchanged does not', async () => {
    let r = await run([
      decl('conf', 'probe.value', { value: 'v1' }),
      decl('svc', 'probe.service', { watch: [{ probe: 'conf' }] }),
    ]);
    expect(byId(r, 'svc')).toMatchObject({ result: true, changes: [{ op: 'run', target: 'svc', after: 'restart' }] });
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(1);
    reset();
    world.set('conf', 'v1');
    r = await run([
      decl('conf', 'probe.value', { value: 'v1' }),
      decl('svc', 'probe.service', { watch: [{ probe: 'conf' }] }),
    ]);
    expect(byId(r, 'svc').changes).toEqual([]);
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });

  it('watch: no refresh when the state itself changed (like Salt: a fresh start is not restarted)', async () => {
    const r = await run([
      decl('conf', 'probe.value', { value: 'v1' }),
      decl('svc', 'probe.service', { value: 'running', watch: [{ probe: 'conf' }] }),
    ]);
    expect(byId(r, 'svc').changes).toHaveLength(1);
    expect(byId(r, 'svc').changes[0]!.op).toBe('create');
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });

  it('watch: a change that is not a restart (say enabling) still restarts, in the dry run too', async () => {
    const decls = () => [
      decl('conf', 'probe.value', { value: 'v1' }),
      decl('svc', 'probe.unit', { value: 'enabled', watch: [{ probe: 'conf' }] }),
    ];
    const t = await run(decls(), { test: true });
    expect(byId(t, 'svc')).toMatchObject({
      result: null,
      comment: 'would change (1) and restart (watched probe: conf would change)',
    });
    expect(byId(t, 'svc').changes.map((c) => c.op)).toEqual(['create', 'run']);
    expect(world.size).toBe(0);
    const r = await run(decls());
    expect(byId(r, 'svc').changes.map((c) => `${c.op}:${String(c.after)}`)).toEqual(['create:enabled', 'run:restart']);
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(1);
  });

  it('watch: a planned start covers the restart (refreshCoveredBy)', async () => {
    const r = await run([
      decl('conf', 'probe.value', { value: 'v1' }),
      decl('svc', 'probe.unit', { value: 'running', watch: [{ probe: 'conf' }] }),
    ]);
    expect(byId(r, 'svc').changes.map((c) => c.op)).toEqual(['create']);
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });

  it('watch on a function without refresh named wait runs only when the target changed', async () => {
    world.set('conf', 'same');
    let r = await run([
      decl('conf', 'probe.value', { value: 'same' }),
      decl('w', 'probe.wait', { value: 'ran', watch: [{ probe: 'conf' }] }),
    ]);
    expect(byId(r, 'w')).toMatchObject({
      result: true,
      comment: 'State was not run because none of the watched states changed',
    });
    expect(world.get('w')).toBeUndefined();
    r = await run([
      decl('conf', 'probe.value', { value: 'new' }),
      decl('w', 'probe.wait', { value: 'ran', watch: [{ probe: 'conf' }] }),
    ]);
    expect(world.get('w')).toBe('ran');
  });

  it('onchanges: runs only when a target changed', async () => {
    world.set('t', 'x');
    let r = await run([
      decl('t', 'probe.value', { value: 'x' }),
      decl('o', 'probe.value', { value: '1', onchanges: [{ probe: 't' }] }),
    ]);
    expect(byId(r, 'o')).toMatchObject({
      result: true,
      comment: 'State was not run because none of the onchanges reqs changed',
      changes: [],
    });
    r = await run([
      decl('t', 'probe.value', { value: 'y' }),
      decl('o', 'probe.value', { value: '1', onchanges: [{ probe: 't' }] }),
    ]);
    expect(byId(r, 'o').changes).toHaveLength(1);
    expect(world.get('o')).toBe('1');
  });

  it('onfail: runs only when a target failed, and is not itself skipped by that failure', async () => {
    let r = await run([
      decl('t', 'probe.value', { value: '1' }),
      decl('rescue', 'probe.value', { value: '1', onfail: [{ probe: 't' }] }),
    ]);
    expect(byId(r, 'rescue')).toMatchObject({
      result: true,
      comment: 'State was not run because onfail req did not change',
    });
    reset();
    r = await run([
      decl('t', 'probe.value', { value: '1', fail: 'apply' }),
      decl('rescue', 'probe.value', { value: '1', onfail: [{ probe: 't' }] }),
    ]);
    expect(byId(r, 'rescue')).toMatchObject({ result: true });
    expect(world.get('rescue')).toBe('1');
  });

  it('prereq: runs before the target only if the target would change', async () => {
    let r = await run([
      decl('target', 'probe.value', { value: 'new' }),
      decl('pre', 'probe.value', { value: 'done', prereq: [{ probe: 'target' }] }),
    ]);
    expect(world.get('pre')).toBe('done');
    expect(ev('apply', 'pre').end).toBeLessThanOrEqual(ev('apply', 'target').start);
    expect(byId(r, 'target').result).toBe(true);
    reset();
    world.set('target', 'new');
    r = await run([
      decl('target', 'probe.value', { value: 'new' }),
      decl('pre', 'probe.value', { value: 'done', prereq: [{ probe: 'target' }] }),
    ]);
    expect(byId(r, 'pre')).toMatchObject({
      result: true,
      comment: 'No changes: none of the prereq states would change',
    });
    expect(world.get('pre')).toBeUndefined();
  });

  it('prereq: a failed prereq state stops the target', async () => {
    const r = await run([
      decl('target', 'probe.value', { value: 'new' }),
      decl('pre', 'probe.value', { value: 'x', fail: 'apply', prereq_in: [], prereq: [{ probe: 'target' }] }),
    ]);
    expect(byId(r, 'target')).toMatchObject({ result: false, comment: 'One or more requisite failed: probe: pre' });
    expect(world.get('target')).toBeUndefined();
  });

  it('listen: refreshes at the end of the run, after everything else', async () => {
    const r = await run([
      decl('svc', 'probe.service', { listen: [{ probe: 'conf' }] }),
      decl('conf', 'probe.value', { value: 'v1' }),
      decl('other', 'probe.value', { value: 'v1', ms: 100 }),
    ]);
    expect(r.results.map((x) => `${x.id}:${x.fun}`)).toEqual([
      'svc:service',
      'conf:value',
      'other:value',
      'svc:mod_watch',
    ]);
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

  it('a host with round trips reads every guard before the run, and again once something changed', async () => {
    // the local host as a remote one: guards are then batched (read-only) before the first state
    const calls: { cmd: string; readOnly: boolean }[] = [];
    const remote: Host = Object.create(host, {
      inProcess: { value: false },
      exec: {
        value: (argv: string[], opts?: ExecOptions) => {
          if (argv[0] === 'sh' && argv[1] === '-c') calls.push({ cmd: argv[2]!, readOnly: !!opts?.readOnly });
          return host.exec(argv, opts);
        },
      },
    });
    const decls = [
      decl('skip', 'probe.value', { value: '1', unless: 'true' }),
      decl('a', 'probe.value', { value: '1', onlyif: ['true', 'test 1 = 1'] }),
      decl('b', 'probe.value', { value: '1', unless: 'false' }),
    ];
    const dry = await runCompiled(compile(high(decls), probeRegistry), {
      host: remote,
      statesDir: '/nonexistent',
      test: true,
    });
    expect(dry.results.map((x) => x.result)).toEqual([true, null, null]);
    expect(calls).toEqual(['true', 'test 1 = 1', 'false'].map((cmd) => ({ cmd, readOnly: true })));
    calls.length = 0;
    const r = await runCompiled(compile(high(decls), probeRegistry), {
      host: remote,
      statesDir: '/nonexistent',
      test: false,
    });
    expect(byId(r, 'skip').comment).toBe('unless condition is true: true');
    expect(r.results.map((x) => x.changes.length)).toEqual([0, 1, 1]);
    // b's guard is read again after a changed something: a guard may read anything
    expect(calls.map((c) => c.cmd)).toEqual(['true', 'test 1 = 1', 'false', 'false']);
    expect(calls[3]!.readOnly).toBe(false);
  });
});

describe('runner: test mode', () => {
  it('reports null for pending changes and changes nothing', async () => {
    world.set('same', 'x');
    const r = await run([decl('new', 'probe.value', { value: '1' }), decl('same', 'probe.value', { value: 'x' })], {
      test: true,
    });
    expect(byId(r, 'new')).toMatchObject({ result: null, changes: [{ op: 'create', target: 'new', after: '1' }] });
    expect(byId(r, 'same').result).toBe(true);
    expect(world.get('new')).toBeUndefined();
    expect(events.filter((e) => e.what === 'apply')).toHaveLength(0);
  });

  it('a watcher of a would-change state says it would restart', async () => {
    const r = await run(
      [decl('conf', 'probe.value', { value: 'v2' }), decl('svc', 'probe.service', { watch: [{ probe: 'conf' }] })],
      { test: true },
    );
    expect(byId(r, 'svc')).toMatchObject({
      result: null,
      comment: 'would restart (watched probe: conf would change)',
      changes: [{ op: 'run', target: 'svc', after: 'restart' }],
    });
    expect(events.filter((e) => e.what === 'refresh')).toHaveLength(0);
  });

  it(
    'a downstream check that misses a fact a would-change upstream may create reports "would change ' + 'after"',
    async () => {
      const r = await run(
        [
          decl('up', 'probe.value', { value: '1' }),
          decl('down', 'probe.value', { value: '1', fail: 'missing', require: [{ probe: 'up' }] }),
        ],
        { test: true },
      );
      expect(byId(r, 'down')).toMatchObject({ result: null, comment: 'would change after probe: up' });
    },
  );

  it('a pending upstream two requisites up also counts', async () => {
    world.set('mid', '1');
    const r = await run(
      [
        decl('up', 'probe.value', { value: '1' }),
        decl('mid', 'probe.value', { value: '1', require: [{ probe: 'up' }] }),
        decl('down', 'probe.value', { value: '1', fail: 'missing', require: [{ probe: 'mid' }] }),
      ],
      { test: true },
    );
    expect(byId(r, 'down')).toMatchObject({ result: null, comment: 'would change after probe: up' });
  });

  it(
    'any other error downstream of a would-change upstream fails the dry run as it would fail the real ' + 'run',
    async () => {
      const r = await run(
        [
          decl('up', 'probe.value', { value: '1' }),
          decl('down', 'probe.value', { value: '1', fail: 'gather', require: [{ probe: 'up' }] }),
        ],
        { test: true },
      );
      expect(byId(r, 'down')).toMatchObject({ result: false, comment: 'down: cannot read' });
    },
  );

  it('without a pending upstream the same error is a failure', async () => {
    const r = await run([decl('down', 'probe.value', { value: '1', fail: 'gather' })], { test: true });
    expect(byId(r, 'down')).toMatchObject({ result: false, comment: 's: cannot read'.replace('s:', 'down:') });
  });

  it('onchanges downstream of a would-change state is planned, not skipped', async () => {
    const r = await run(
      [decl('t', 'probe.value', { value: 'y' }), decl('o', 'probe.value', { value: '1', onchanges: [{ probe: 't' }] })],
      { test: true },
    );
    expect(byId(r, 'o').result).toBeNull();
  });

  it('listen in test mode says what would happen', async () => {
    const r = await run(
      [decl('svc', 'probe.service', { listen: [{ probe: 'conf' }] }), decl('conf', 'probe.value', { value: 'v1' })],
      { test: true },
    );
    expect(byId(r, 'svc', 'mod_watch')).toMatchObject({
      result: null,
      comment: 'would restart (listening to probe: conf)',
    });
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
    const r = await run([
      decl('a', 'probe.batched', { value: '1' }),
      decl('b', 'probe.batched', { value: '1', require: [{ probe: 'a' }] }),
    ]);
    expect(r.results.map((x) => x.result)).toEqual([true, true]);
    // a used the batch; b started after a applied: fresh gather (plus the verify gathers)
    expect(events.filter((e) => e.what === 'gather' && e.name === 'b').length).toBe(2);
    expect(events.filter((e) => e.what === 'gather' && e.name === 'a').length).toBe(1);
  });
});

describe('runner: aggregation (one apply call for unordered states of one function)', () => {
  const applies = () =>
    events.filter((e) => e.what === 'apply' || e.what === 'applyMany').map((e) => `${e.what} ${e.name}`);

  it(
    'absorbs the other pending states into the first apply; each reports its own changes and the state it went ' +
      'with',
    async () => {
      const r = await run([
        decl('a', 'probe.agg', { value: '1' }),
        decl('b', 'probe.agg', { value: '2' }),
        decl('c', 'probe.agg', { value: '3' }),
      ]);
      expect(applies()).toEqual(['applyMany a,b,c']);
      expect([...world]).toEqual([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]);
      expect(r.results.map((x) => [x.id, x.result, x.changes])).toEqual([
        ['a', true, [{ op: 'create', target: 'a', after: '1' }]],
        ['b', true, [{ op: 'create', target: 'b', after: '2' }]],
        ['c', true, [{ op: 'create', target: 'c', after: '3' }]],
      ]);
      // whichever got the lock first led; the others name it
      const led = r.results.find((x) => x.comment.includes('together with'))!;
      expect(led.comment).toMatch(/^set \w \(together with probe: \w, probe: \w\)$/);
      for (const x of r.results.filter((y) => y !== led))
        expect(x.comment).toBe(`set ${x.id} with probe: ${led.id} (one call for 3 states)`);
      // the second run changes nothing and applies nothing
      events.length = 0;
      const again = await run([
        decl('a', 'probe.agg', { value: '1' }),
        decl('b', 'probe.agg', { value: '2' }),
        decl('c', 'probe.agg', { value: '3' }),
      ]);
      expect(again.results.map((x) => x.changes)).toEqual([[], [], []]);
      expect(applies()).toEqual([]);
    },
  );

  it(
    'does not absorb a state with a requisite, onlyif/unless/creates, prereq, aggregate: False, or another ' + 'key',
    async () => {
      const r = await run([
        decl('lead', 'probe.agg', { value: '1' }),
        decl('free', 'probe.agg', { value: '1' }),
        decl('first', 'probe.value', { value: '1' }),
        decl('req', 'probe.agg', { value: '1', require: [{ probe: 'first' }] }),
        decl('cond', 'probe.agg', { value: '1', onlyif: 'true' }),
        decl('unl', 'probe.agg', { value: '1', unless: 'false' }),
        decl('cre', 'probe.agg', { value: '1', creates: '/nonexistent-brine' }),
        decl('pre', 'probe.agg', { value: '1', prereq: [{ probe: 'first' }] }),
        decl('out', 'probe.agg', { value: '1', aggregate: false }),
        decl('other', 'probe.agg', { value: '1', group: 'b' }),
      ]);
      expect(r.results.every((x) => x.result === true && x.changes.length === 1)).toBe(true);
      const many = events.filter((e) => e.what === 'applyMany').map((e) => e.name.split(',').sort().join(','));
      expect(many).toEqual(['free,lead']);
      expect(
        events
          .filter((e) => e.what === 'apply')
          .map((e) => e.name)
          .sort(),
      ).toEqual(['cond', 'cre', 'first', 'other', 'out', 'pre', 'req', 'unl']);
      // the dry run's batched gather was told which states may share the call
      const g = events.find((e) => e.what === 'gatherMany')!;
      const hint = Object.fromEntries(g.name.split(',').map((n, i) => [n, g.hints![i]]));
      expect(hint).toEqual({
        lead: true,
        free: true,
        req: false,
        cond: false,
        unl: false,
        cre: false,
        pre: false,
        out: false,
        other: true,
      });
    },
  );

  it('a state with a requisite may lead: it absorbs the unordered ones when it applies', async () => {
    const r = await run(
      [
        decl('first', 'probe.value', { value: '1', ms: 50 }),
        decl('req', 'probe.agg', { value: '1', require: [{ probe: 'first' }] }),
        decl('x', 'probe.agg', { value: '1', aggregate: false }),
      ],
      { concurrency: 1 },
    );
    expect(r.results.map((x) => x.result)).toEqual([true, true, true]);
    expect(applies().filter((a) => a.startsWith('applyMany'))).toEqual([]);
  });

  it('watch and onchanges on an absorbed state fire (unlike Salt, it reports its changes)', async () => {
    const r = await run([
      decl('a', 'probe.agg', { value: '1' }),
      decl('b', 'probe.agg', { value: '2' }),
      decl('svc', 'probe.service', { watch: [{ probe: 'a' }] }),
      decl('svc2', 'probe.service', { watch: [{ probe: 'b' }] }),
      decl('w', 'probe.wait', { value: 'ran', onchanges: [{ probe: 'b' }] }),
    ]);
    expect(applies()).toContain('applyMany a,b');
    expect(
      events
        .filter((e) => e.what === 'refresh')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['svc', 'svc2']);
    expect(world.get('w')).toBe('ran');
    expect(byId(r, 'w').result).toBe(true);
  });

  it("the dry run applies nothing and shows every state's own changes", async () => {
    const r = await run([decl('a', 'probe.agg', { value: '1' }), decl('b', 'probe.agg', { value: '2' })], {
      test: true,
    });
    expect(r.results.map((x) => [x.result, x.changes.map((c) => c.target)])).toEqual([
      [null, ['a']],
      [null, ['b']],
    ]);
    expect(applies()).toEqual([]);
    expect(world.size).toBe(0);
  });

  it('a failed shared call: each state applies on its own, so only the bad one fails', async () => {
    const r = await run([
      decl('a', 'probe.agg', { value: '1' }),
      decl('bad', 'probe.agg', { value: '2', failMany: true, fail: 'apply' }),
      decl('c', 'probe.agg', { value: '3' }),
    ]);
    expect(applies()[0]).toBe('applyMany a,bad,c');
    // after a failed shared call the function is not aggregated again in this run; each goes alone
    // ('bad' throws in its own apply before the probe records it)
    expect(applies().slice(1).sort()).toEqual(['apply a', 'apply c']);
    expect(r.results.map((x) => [x.id, x.result])).toEqual([
      ['a', true],
      ['bad', false],
      ['c', true],
    ]);
    expect(r.results.flatMap((x) => x.warnings ?? []).join()).toMatch(
      /one probe\.agg call for 3 states failed \(apt: conflicting packages\); each applies on its own/,
    );
  });

  it('an absorbed state that did not converge fails; its watchers do not fire', async () => {
    const r = await run([
      decl('a', 'probe.agg', { value: '1' }),
      decl('s', 'probe.agg', { value: '2', stuck: true }),
      decl('w', 'probe.service', { watch: [{ probe: 's' }] }),
    ]);
    const s = byId(r, 's');
    expect(applies()).toEqual([expect.stringMatching(/^applyMany (a,s|s,a)$/)]);
    expect(s.result).toBe(false);
    expect(s.comment).toMatch(/did not converge: still to change: s/);
    expect(byId(r, 'w')).toMatchObject({ result: false, comment: 'One or more requisite failed: probe: s' });
  });

  it('failhard after the shared call: the absorbed state still reports what was done for it', async () => {
    const r = await run([
      decl('a', 'probe.agg', { value: '1' }),
      decl('bad', 'probe.locked', { value: '1', fail: 'apply', failhard: true }),
      decl('b', 'probe.agg', { value: '2' }),
      decl('later', 'probe.value', { value: '1', require: ['bad'] }),
    ]);
    expect(applies()[0]).toBe('applyMany a,b');
    expect(r.aborted).toBe('probe: bad');
    expect(world.get('b')).toBe('2');
    expect(r.results.map((x) => [x.id, x.result])).toEqual([
      ['a', true],
      ['bad', false],
      ['b', true],
    ]);
  });

  it('the run option aggregate: false applies each state on its own', async () => {
    const r = await runCompiled(
      compile(high([decl('a', 'probe.agg', { value: '1' }), decl('b', 'probe.agg', { value: '2' })]), probeRegistry),
      {
        host,
        statesDir: '/nonexistent',
        test: false,
        aggregate: false,
      },
    );
    expect(r.results.map((x) => x.result)).toEqual([true, true]);
    expect(applies().sort()).toEqual(['apply a', 'apply b']);
    expect(events.find((e) => e.what === 'gatherMany')!.hints).toEqual([false, false]);
  });

  it('aggregate must be true or false: a compile error naming the state', () => {
    expect(() => compile(high([decl('a', 'probe.agg', { value: '1', aggregate: 'yes' })]), probeRegistry)).toThrow(
      /'aggregate' must be true or false/,
    );
  });
});
