// --out markdown as a review comment: grouped by SLS, a <details> block per diff, push as one
// comment with a section per host, and the whole fitted under a comment's size with a note.
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../engine/redact.js';
import { formatReport } from '../../../engine/report/index.js';
import { COMMENT_LIMIT } from '../../../engine/report/markdown-fit.js';
import { formatMarkdown, formatMarkdownHosts } from '../../../engine/report/markdown.js';
import type { RunReport, StateResult } from '../../../engine/run/types.js';

function res(sls: string, id: string, o: Partial<StateResult> = {}): StateResult {
  return {
    key: `file_|-${id}_|-/etc/${id}_|-managed`,
    id,
    name: `/etc/${id}`,
    module: 'file',
    fun: 'managed',
    sls,
    file: `${sls}.sls`,
    line: 3,
    result: null,
    comment: 'would change (1)',
    changes: [],
    startedAt: '',
    durationMs: 1,
    runNum: 0,
    ...o,
  };
}
const diffOf = (path: string, lines: number) => {
  const body = Array.from({ length: lines }, (_, i) => `-old line ${i}\n+new line ${i}`).join('\n');
  return `--- ${path}\n+++ ${path}\n@@ -1,${lines} +1,${lines} @@\n${body}\n`;
};
const report = (results: StateResult[]): RunReport => ({
  host: 'web1',
  test: true,
  results,
  startedAt: '',
  durationMs: 1500,
});

describe('markdown review comment', () => {
  const r = report([
    res('nginx', 'conf', {
      changes: [
        { op: 'update', target: '/etc/nginx.conf', diff: diffOf('/etc/nginx.conf', 2) },
        { op: 'update', target: 'mode', before: '0644', after: '0600' },
      ],
    }),
    res('common', 'motd', { changes: [{ op: 'create', target: '/etc/motd', diff: diffOf('/etc/motd', 1) }] }),
    res('nginx', 'site', { result: false, comment: 'boom' }),
    res('common', 'ok', { result: true, comment: 'Already in the desired state' }),
  ]);
  const md = formatMarkdown(r);

  it('has a summary line and the states grouped by SLS, each diff collapsible', () => {
    expect(md).toContain('**2 would change**, 1 failed, 1 unchanged, 4 states (1.50 s)');
    expect(md.indexOf('#### `nginx`: 2 state(s)')).toBeLessThan(md.indexOf('#### `common`: 1 state(s), 1 unchanged'));
    expect(md.indexOf('| 🟡 | `conf`')).toBeLessThan(md.indexOf('| ❌ | `site`'));
    expect(md.indexOf('| ❌ | `site`')).toBeLessThan(md.indexOf('#### `common`'));
    expect(md).toContain(
      '<details><summary>update <code>/etc/nginx.conf</code> (+2 −2)</summary>\n\n```diff\n--- /etc/nginx.conf',
    );
    expect(md).toContain('<details><summary>create <code>/etc/motd</code> (+1 −1)</summary>');
    expect(md).toContain('update mode: 0644 -> 0600');
    expect(md).not.toContain('`ok`');
    expect(md).not.toContain('Cut to fit');
  });

  it('a diff holding backticks cannot close its code block', () => {
    const m = formatMarkdown(
      report([res('a', 'x', { changes: [{ op: 'update', target: '/x', diff: '-a\n+```\n+b\n' }] })]),
    );
    expect(m).toContain('````diff\n-a\n+```\n+b\n````');
  });

  it('a long plan is cut under the comment size, saying what was cut', () => {
    const many = Array.from({ length: 120 }, (_, i) =>
      res(`sls${i % 7}`, `f${i}`, {
        changes: [{ op: 'update', target: `/etc/f${i}`, diff: diffOf(`/etc/f${i}`, 40) }],
      }),
    );
    const big = formatMarkdown(report(many));
    expect(big.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(big.length).toBeGreaterThan(COMMENT_LIMIT - 5000);
    // every state is still listed; the diffs that did not fit are named
    for (let i = 0; i < 120; i++) expect(big).toContain(`| 🟡 | \`f${i}\` |`);
    const m = /Cut to fit one 65536-character comment: (\d+) diff\/change block\(s\) \(`(\/etc\/f\d+)`/.exec(big);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(10);
    expect(big).not.toContain(`<code>${m![2]}</code>`);
    // every <details> that is kept is closed
    expect(big.split('<details>').length).toBe(big.split('</details>').length);
  });

  it('redacts secrets as every output does', () => {
    const red = new Redactor();
    red.add('hunter2-secret-value');
    const m = formatReport(
      report([
        res('a', 'x', {
          comment: 'x hunter2-secret-value',
          changes: [{ op: 'update', target: '/x', diff: '-a\n+pw=hunter2-secret-value\n' }],
        }),
      ]),
      'markdown',
      { color: false, redactor: red },
    );
    expect(m).not.toContain('hunter2-secret-value');
    expect(m).toContain('content not shown: the diff holds a secret');
  });

  it('push: one comment, a table of hosts and a section per host', () => {
    const m = formatMarkdownHosts(
      [
        { label: 'alpha', address: 'root@10.0.0.1:22', status: 'pending', report: r },
        { label: 'beta', status: 'unreachable', error: 'connection refused' },
      ],
      { test: true },
    );
    expect(m).toContain('### brine push (dry run): 2 host(s)');
    expect(m).toContain('| `alpha` | pending | 2 | 1 | 4 |');
    expect(m).toContain('| `beta` | unreachable: connection refused |');
    expect(m).toContain('### `alpha` (root@10.0.0.1:22)');
    expect(m).toContain('#### `nginx`');
  });
});
