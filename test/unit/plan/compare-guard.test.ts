// The check of a saved plan (compare.ts) and the guard of its apply (guard.ts), on plan entries
// built from run reports (record.ts).
import { describe, expect, it } from 'vitest';
import type { Change } from '../../../engine/contract.js';
import type { Chunk, CompiledRun } from '../../../engine/compile/types.js';
import { compareHost, wrongHost } from '../../../engine/plan/compare.js';
import { planKeys } from '../../../engine/plan/digest.js';
import { planGuard } from '../../../engine/plan/guard.js';
import { recordHost } from '../../../engine/plan/record.js';
import { Redactor } from '../../../engine/redact.js';
import type { RunReport, StateResult } from '../../../engine/run/types.js';

const redactor = new Redactor();
redactor.add('s3cret-password-value');
const keys = planKeys('plan-id-0123456789', ['s3cret-password-value'], redactor);

function chunk(id: string, args: Record<string, unknown> = {}): Chunk {
  return {
    key: `file_|-${id}_|-/etc/${id}_|-managed`,
    id,
    name: `/etc/${id}`,
    sls: 'web',
    module: 'file',
    fun: 'managed',
    loc: { file: 'web.sls', line: 1 },
    args: { name: `/etc/${id}`, ...args },
    meta: { onlyif: [], unless: [], creates: [], failhard: false },
    requisites: [],
    index: 0,
    rank: 10000,
    fn: {} as Chunk['fn'],
  };
}
function result(c: Chunk, changes: Change[], o: Partial<StateResult> = {}): StateResult {
  return {
    key: c.key,
    id: c.id,
    name: c.name,
    module: c.module,
    fun: c.fun,
    sls: c.sls,
    file: 'web.sls',
    line: 1,
    result: changes.length ? null : true,
    comment: '',
    changes,
    startedAt: '',
    durationMs: 0,
    runNum: 0,
    ...o,
  };
}
function host(
  chunks: Chunk[],
  results: StateResult[],
  o: { prepared?: Map<string, unknown>; facts?: Map<string, unknown> } = {},
) {
  const compiled: CompiledRun = { chunks, byKey: new Map(chunks.map((c) => [c.key, c])), after: new Map() };
  const report: RunReport = { host: 'h', test: true, results, startedAt: '', durationMs: 0 };
  return recordHost(
    { report, compiled, prepared: o.prepared ?? new Map(), facts: o.facts ?? new Map(), keys, redactor },
    { host: 'h' },
  );
}

const upd = (before: string, after: string, payload = after): Change => ({
  op: 'update',
  target: '/etc/a',
  before,
  after,
  diff: `-${before}\n+${after}\n`,
  payload,
});

describe('compareHost', () => {
  const a = chunk('a');
  const b = chunk('b');
  const saved = host([a, b], [result(a, [upd('x', 'y')]), result(b, [])], {
    facts: new Map([[a.key, { content: 'x' }]]),
  });

  it('finds no difference in the same dry run, whatever else the facts hold', () => {
    const now = host([a, b], [result(a, [upd('x', 'y')]), result(b, [])], {
      facts: new Map([[a.key, { content: 'x', mtime: 2 }]]),
    });
    expect(compareHost(saved, now).differences).toEqual([]);
  });

  it('names a state whose changes, arguments or rendered contents differ, and states on one side only', () => {
    const a2 = chunk('a', { mode: '0600' });
    const c = chunk('c');
    const now = host([a2, c], [result(a2, [upd('z', 'y')]), result(c, [])], {
      prepared: new Map([[a2.key, 'rendered']]),
      facts: new Map([[a.key, { content: 'z' }]]),
    });
    const d = compareHost(saved, now).differences;
    expect(d.map((x) => [x.label, x.why])).toEqual([
      ['file.managed: a', ['changes', 'arguments', 'rendered contents', 'facts read']],
      ['file.managed: b', ['no longer selected']],
      ['file.managed: c', ['not in the plan']],
    ]);
    expect(d[0]!.planned!.changes[0]).toMatchObject({ before: 'x', after: 'y' });
    expect(d[0]!.current!.changes[0]).toMatchObject({ before: 'z', after: 'y' });
  });

  it('a plan for another host or root is refused', () => {
    expect(wrongHost(saved, 'h')).toBeUndefined();
    expect(wrongHost(saved, 'g')).toBe("the plan is for host 'h', this is 'g'");
    expect(wrongHost(saved, 'h', '/tmp/r')).toBe("the plan is for root '/', this run's is '/tmp/r'");
  });

  it('keeps secrets out of the entry and keys the hashes of secret content', () => {
    const s = chunk('s');
    const h = 'c'.repeat(64);
    const e = host(
      [s],
      [
        result(
          s,
          [
            {
              op: 'create',
              target: '/etc/s',
              after: h,
              diff: 'content not shown: the file holds a secret; sha256 (none) -> ' + h,
              payload: 'pw=s3cret-password-value',
            },
          ],
          { comment: 'x s3cret-password-value' },
        ),
      ],
    );
    const text = JSON.stringify(e);
    expect(text).not.toContain('s3cret-password-value');
    expect(text).not.toContain(h);
    expect(e.states[0]!.changes[0]!.after).toBe(`hmac:${keys.secretDigest(h)}`);
  });
});

describe('planGuard', () => {
  const a = chunk('a');
  const b = chunk('b');
  const saved = host(
    [a, b],
    [result(a, [upd('x', 'y')]), result(b, [{ op: 'create', target: '/etc/b', after: 'h1', payload: 'new' }])],
  );
  const guard = planGuard(saved, keys, redactor);
  const none = new Map<string, StateResult>();

  it('lets the approved changes through and refuses others, naming both sides', () => {
    expect(guard(a, [upd('x', 'y')], none)).toBeUndefined();
    expect(guard(a, [], none)).toBeUndefined();
    expect(guard(a, [upd('q', 'y')], none)).toBe(
      'differs from the plan: planned update /etc/a: x -> y; now update /etc/a: q -> y',
    );
    expect(guard(a, [upd('x', 'y', 'other payload')], none)).toMatch(/^differs from the plan/);
    expect(guard(chunk('zz'), [upd('x', 'y')], none)).toBe('differs from the plan: not in the plan');
  });

  it('when a requisite changed something in this run, the same outcome is enough (a package brought the file)', () => {
    const pkg = chunk('pkg');
    const earlier = new Map([[pkg.key, result(pkg, [{ op: 'create', target: 'nginx' }], { result: true })]]);
    const asUpdate: Change = { op: 'update', target: '/etc/b', before: 'h0', after: 'h1', payload: 'new' };
    const mid = 'file_|-mid_|-/etc/mid_|-managed';
    const ordered = planGuard(
      saved,
      keys,
      redactor,
      new Map([
        [b.key, new Set([mid])],
        [mid, new Set([pkg.key])],
      ]),
    );
    expect(ordered(b, [asUpdate], none)).toMatch(/^differs from the plan/);
    expect(ordered(b, [asUpdate], earlier)).toBeUndefined();
    expect(ordered(b, [{ ...asUpdate, after: 'h2', payload: 'other' }], earlier)).toMatch(/^differs from the plan/);
    // an earlier change the state does not depend on explains nothing
    expect(guard(b, [asUpdate], earlier)).toMatch(/^differs from the plan/);
  });

  it('never puts a secret in its refusal', () => {
    const msg = guard(a, [{ op: 'update', target: '/etc/a', before: 'x', after: 's3cret-password-value' }], none)!;
    expect(msg).toMatch(/^differs from the plan/);
    expect(msg).not.toContain('s3cret-password-value');
  });
});
