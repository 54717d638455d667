import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../engine/redact.js';
import { exitCodeFor, formatReport, summarize, wantColor } from '../../../engine/report/index.js';
import type { RunReport, StateResult } from '../../../engine/run/types.js';

function res(id: string, o: Partial<StateResult> = {}): StateResult {
  return {
    key: `file_|-${id}_|-/etc/${id}_|-managed`,
    id,
    name: `/etc/${id}`,
    module: 'file',
    fun: 'managed',
    sls: 'common',
    file: 'common/init.sls',
    line: 3,
    result: true,
    comment: 'Already in the desired state',
    changes: [],
    startedAt: '2026-11-22T21:40:12.345Z',
    durationMs: 7,
    runNum: 0,
    ...o,
  };
}

const diff = '--- /etc/changed\n+++ /etc/changed\n@@ -1 +1 @@\n-old value\n+new\n';
const secretDiff =
  '--- /etc/app.conf\n+++ /etc/app.conf\n@@ -1,2 +1,2 @@\n-token=OLD-unknown-value\n+token=s3cretvalue\n';
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const report = (results: StateResult[], test = false): RunReport => ({
  host: 'local',
  test,
  results,
  startedAt: '2026-11-22T21:40:12.000Z',
  durationMs: 1234,
});
const sample = report([
  res('clean'),
  res('changed', {
    comment: 'updated',
    changes: [
      { op: 'update', target: '/etc/changed', diff },
      { op: 'update', target: 'mode', before: '0644', after: '0600' },
    ],
  }),
  res('failed', { result: false, comment: 'One or more requisite failed: file: x, s3cretvalue' }),
  res('secretfile', {
    name: '/etc/app.conf',
    comment: 'updated',
    changes: [
      {
        op: 'update',
        target: '/etc/app.conf',
        before: HASH_A,
        after: HASH_B,
        diff: secretDiff,
        payload: 'token=s3cretvalue\n',
      },
    ],
  }),
]);
const redactor = new Redactor();
redactor.add('s3cretvalue');

describe('highstate output', () => {
  const text = formatReport(sample, 'highstate', { color: false, redactor });

  it('shows clean states on one line and changed/failed states in full', () => {
    expect(text).toContain(
      '  Name: /etc/clean - Function: file.managed - Result: Clean - Started: 21:40:12.345 - Duration: 7 ms\n',
    );
    expect(text).toContain(
      [
        '----------',
        '          ID: changed',
        '    Function: file.managed',
        '        Name: /etc/changed',
        '      Result: True',
        '     Comment: updated',
        '     Started: 21:40:12.345',
        '    Duration: 7 ms',
        '     Changes:',
        '              update /etc/changed',
        '                  --- /etc/changed',
      ].join('\n'),
    );
    expect(text).toContain('              update mode: 0644 -> 0600');
    expect(text).toContain('      Result: False\n     Comment: One or more requisite failed: file: x, <redacted>');
  });

  it('has the summary', () => {
    expect(text).toContain(
      [
        'Summary for local',
        '------------',
        'Succeeded: 3 (changed=2)',
        'Failed:    1',
        '------------',
        'Total states run:     4',
        'Total run time: 1.234 s',
      ].join('\n'),
    );
  });

  it('drops a diff that holds a secret whole (its other lines may be old secrets), with the hashes', () => {
    expect(text).not.toContain('s3cretvalue');
    expect(text).not.toContain('OLD-unknown-value');
    expect(text).toContain(
      `                  content not shown: the diff holds a secret; sha256 ${HASH_A} -> ${HASH_B}`,
    );
    expect(text).toContain('-old value\n');
  });

  it('redacts command output and comments, also a secret in a derived form (upper case, JSON-escaped)', () => {
    const r = report([
      res('cmd', {
        module: 'cmd',
        fun: 'run',
        result: false,
        comment: 'exit 1: S3CRETVALUE',
        data: { stdout: 'token s3cretvalue\nTOKEN S3CRETVALUE', retcode: 1 },
      }),
    ]);
    for (const out of ['highstate', 'json', 'markdown'] as const) {
      const t = formatReport(r, out, { color: false, redactor });
      expect(t.toLowerCase(), out).not.toContain('s3cretvalue');
      expect(t, out).toContain('<redacted>');
    }
  });

  it('colours only when asked', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI escape is what is tested
    expect(text).not.toMatch(/\u001b\[/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI escape is what is tested
    expect(formatReport(sample, 'highstate', { color: true, redactor })).toMatch(/\u001b\[31m.*Result: False/);
    expect(wantColor({ isTTY: true }, {})).toBe(true);
    expect(wantColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantColor({ isTTY: false }, {})).toBe(false);
  });

  it('test mode counts unchanged and would-change', () => {
    const t = formatReport(
      report([res('a'), res('b', { result: null, changes: [{ op: 'create', target: '/etc/b' }] })], true),
      'highstate',
      { color: false, redactor },
    );
    expect(t).toContain('Summary for local (test)');
    expect(t).toContain('Succeeded: 2 (unchanged=1, changed=1)');
    expect(t).toContain('      Result: None');
  });
});

describe('json output', () => {
  it('has the documented schema, redacted', () => {
    const j = JSON.parse(formatReport(sample, 'json', { color: false, redactor }));
    expect(Object.keys(j)).toEqual(['version', 'host', 'test', 'started', 'results', 'summary']);
    expect(j.version).toBe(1);
    expect(Object.keys(j.results[0])).toEqual([
      'id',
      'name',
      'module',
      'function',
      'sls',
      'file',
      'line',
      'result',
      'comment',
      'changes',
      'started',
      'duration_ms',
      'run_num',
    ]);
    expect(j.results[1].changes[0].diff).toContain('-old value');
    expect(j.results[3].changes[0]).toEqual({
      op: 'update',
      target: '/etc/app.conf',
      before: HASH_A,
      after: HASH_B,
      diff: `content not shown: the diff holds a secret; sha256 ${HASH_A} -> ${HASH_B}`,
    });
    expect(j.summary).toEqual({ total: 4, succeeded: 3, failed: 1, changed: 2, pending: 0, duration_ms: 1234 });
    expect(JSON.stringify(j)).not.toContain('s3cretvalue');
    expect(JSON.stringify(j)).not.toContain('OLD-unknown');
  });

  it("shows a module's typed change as documented: op, target, before, after (no kind, no module fields)", () => {
    const hold = {
      op: 'update' as const,
      kind: 'hold',
      pkg: 'nginx',
      target: 'nginx (hold)',
      before: false,
      after: true,
    };
    const j = JSON.parse(formatReport(report([res('pkg', { changes: [hold] })]), 'json', { color: false, redactor }));
    expect(j.results[0].changes).toEqual([{ op: 'update', target: 'nginx (hold)', before: false, after: true }]);
  });
});

describe('markdown output', () => {
  it('lists changed and failed states in a table and diffs in code blocks', () => {
    const md = formatReport(sample, 'markdown', { color: false, redactor });
    expect(md).toContain('### brine run on `local`');
    expect(md).toContain('| ✏️ | `changed` | file.managed | `/etc/changed` | updated | common/init.sls:3 |');
    expect(md).toContain('| ❌ | `failed` |');
    expect(md).not.toContain('`clean`');
    expect(md).toContain('```diff\n--- /etc/changed');
    expect(md).not.toContain('s3cretvalue');
    expect(md).not.toContain('OLD-unknown');
    expect(md).toContain('content not shown: the diff holds a secret');
  });
});

describe('exit codes', () => {
  it('0 ok, 1 failed, 2 pending changes under --test', () => {
    expect(exitCodeFor(report([res('a')]), false)).toBe(0);
    expect(exitCodeFor(report([res('a', { changes: [{ op: 'create', target: 'x' }] })]), false)).toBe(0);
    expect(exitCodeFor(report([res('a', { result: false })]), false)).toBe(1);
    expect(exitCodeFor(report([res('a')], true), true)).toBe(0);
    expect(
      exitCodeFor(report([res('a', { result: null, changes: [{ op: 'create', target: 'x' }] })], true), true),
    ).toBe(2);
    expect(exitCodeFor(report([res('a', { result: null }), res('b', { result: false })], true), true)).toBe(1);
    expect(summarize(report([res('a', { result: null })], true)).pending).toBe(1);
  });
});
