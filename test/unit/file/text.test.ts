// Text edits (replace/append), Python regex translation, modes, cmd argument mapping.
import { describe, expect, it } from 'vitest';
import { appendText } from '../../../modules/file/append.js';
import { parseMode, fmtMode } from '../../../modules/file/mode.js';
import { jsFlags, pyPattern, pyRepl } from '../../../modules/file/pyregex.js';
import { replaceText } from '../../../modules/file/replace.js';
import { execOf } from '../../../modules/cmd/exec-args.js';
import { modules as cmd } from '../../../modules/cmd/index.js';
import { testCtx } from '../../support/checkapply.js';

describe('Python regex translation', () => {
  it('named groups, backrefs, flags', () => {
    expect(pyPattern('(?P<k>\\w+)=(?P=k)')).toBe('(?<k>\\w+)=\\k<k>');
    expect(pyRepl('\\1-\\g<2>-\\g<name>-$5\\n')).toBe('$1-$2-$<name>-$$5\n');
    expect(jsFlags(undefined, 'x')).toBe('m');
    expect(jsFlags(['IGNORECASE', 'DOTALL'], 'x')).toBe('is');
    expect(jsFlags(10, 'x')).toBe('im');
    expect(() => jsFlags(['NOPE'], 'f:pattern')).toThrow(/f:pattern: unknown regex flag 'NOPE'/);
  });
});

describe('replaceText', () => {
  const r = (args: Record<string, unknown>, text: string) =>
    replaceText({ name: '/f', pattern: '', repl: '', ...args }, text);
  it('replaces all matches (multiline by default) or count of them', () => {
    expect(r({ pattern: '^a=(\\d)$', repl: 'a=\\g<1>0' }, 'a=1\nb\na=2\n')).toBe('a=10\nb\na=20\n');
    expect(r({ pattern: '^a=(\\d)$', repl: 'x', count: 1 }, 'a=1\na=2\n')).toBe('x\na=2\n');
  });
  it('appends or prepends when not found, once', () => {
    expect(r({ pattern: '^k=.*', repl: 'k=1', append_if_not_found: true }, 'a\n')).toBe('a\nk=1\n');
    expect(r({ pattern: '^k=.*', repl: 'k=1', append_if_not_found: true }, 'a')).toBe('a\nk=1\n');
    expect(r({ pattern: '^k=.*', repl: 'k=1', prepend_if_not_found: true, not_found_content: '# k' }, 'a\n')).toBe(
      '# k\na\n',
    );
    expect(r({ pattern: '^zzz', repl: 'k=1', append_if_not_found: true }, 'k=1\n')).toBe('k=1\n');
  });
  it('rejects a bad pattern with the state name', () => {
    expect(() => r({ pattern: '(' }, 'x')).toThrow(/\/f: pattern: invalid pattern/);
  });
});

describe('appendText', () => {
  it('adds only missing lines, fixes a missing final newline', () => {
    expect(appendText('a\nb\n', ['b', 'c'])).toBe('a\nb\nc\n');
    expect(appendText('a', 'b')).toBe('a\nb\n');
    expect(appendText('', 'x\ny\n')).toBe('x\ny\n');
    expect(appendText('x\ny\n', 'x\ny')).toBe('x\ny\n');
  });
});

describe('modes', () => {
  it('accepts octal spellings and rejects others', () => {
    expect([644, '644', '0644', '0o644', '2755'].map((m) => parseMode(m))).toEqual([
      0o644, 0o644, 0o644, 0o644, 0o2755,
    ]);
    expect(parseMode(undefined)).toBeUndefined();
    expect(() => parseMode('rw-r--r--', '/x: mode')).toThrow(/\/x: mode: invalid mode/);
    expect(fmtMode(0o600)).toBe('0600');
  });
});

describe('cmd', () => {
  it('maps args to one exec', () => {
    expect(execOf({ name: 'echo hi' })).toEqual({ argv: ['sh', '-c', 'echo hi'], opts: {} });
    expect(
      execOf({
        name: 'x',
        shell: '/bin/bash',
        cwd: '/srv',
        runas: 'app',
        env: [{ A: 1 }, { B: null }],
        stdin: 'in',
        timeout: 1.5,
      }),
    ).toEqual({
      argv: ['/bin/bash', '-c', 'x'],
      opts: { cwd: '/srv', user: 'app', env: { A: '1', B: '' }, stdin: 'in', timeoutMs: 1500 },
    });
    expect(execOf({ name: 'ls', argv: ['ls', '-l'] }).argv).toEqual(['ls', '-l']);
  });
  it('run always plans a run; wait plans nothing and runs on refresh', () => {
    const a = { name: 'make' };
    expect(cmd.cmd!.run!.plan(a, null, testCtx(a))).toEqual([{ op: 'run', target: 'make' }]);
    expect(cmd.cmd!.wait!.plan(a, null, testCtx(a))).toEqual([]);
    expect(cmd.cmd!.wait!.refreshVerb!(a)).toBe('run');
  });
});
