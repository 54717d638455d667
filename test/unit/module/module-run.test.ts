// module.run / module.wait: both syntaxes compile and plan as data; wrong calls are errors.
import { describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { callsOf } from '../../../modules/module/calls.js';
import { run, wait } from '../../../modules/module/index.js';
import { decl, high } from '../compile/highdata-builder.js';

const argsOf = (id: string, fun: string, a: Record<string, unknown>) =>
  compile(high([decl(id, `module.${fun}`, a)])).chunks[0]!.args;
const planOf = (id: string, a: Record<string, unknown>) => run.plan(argsOf(id, 'run', a) as never, null, {} as never);

describe('module.run', () => {
  it('new syntax: each function key is a call; scalars are positional, maps are keyword arguments', () => {
    expect(planOf('restart', { 'service.restart': ['nginx'], 'cmd.run': [{ cmd: 'echo hi', cwd: '/tmp' }] })).toEqual([
      { op: 'run', target: 'service.restart(name="nginx")' },
      { op: 'run', target: 'cmd.run(cmd="echo hi", cwd="/tmp")' },
    ]);
    expect(planOf('w', { 'file.write': ['/etc/x', 'line 1', 'line 2'] })).toEqual([
      { op: 'run', target: 'file.write(path="/etc/x", "line 1", "line 2")' },
    ]);
    expect(planOf('reload', { 'service.systemctl_reload': null })).toEqual([
      { op: 'run', target: 'service.systemctl_reload()' },
    ]);
  });

  it('old syntax: name is the function, m_name its name argument, other keys its keyword arguments', () => {
    expect(planOf('r', { name: 'service.restart', m_name: 'nginx' })).toEqual([
      { op: 'run', target: 'service.restart(name="nginx")' },
    ]);
    expect(planOf('service.reload', { m_name: 'ssh' })).toEqual([{ op: 'run', target: 'service.reload(name="ssh")' }]);
    expect(planOf('t', { name: 'file.mkdir', dir_path: '/srv/a', mode: '0750' })).toEqual([
      { op: 'run', target: 'file.mkdir(dir_path="/srv/a", mode="0750")' },
    ]);
    expect(planOf('c', { name: 'cmd.run', args: ['true'] })).toEqual([{ op: 'run', target: 'cmd.run(cmd="true")' }]);
    // the apt formula's refresh: Salt's pkg.refresh_db, with its optional arguments
    expect(planOf('apt.refresh_db', { name: 'pkg.refresh_db' })).toEqual([{ op: 'run', target: 'pkg.refresh_db()' }]);
    expect(planOf('r', { 'pkg.refresh_db': [{ cache_valid_time: 60, failhard: true }] })).toEqual([
      { op: 'run', target: 'pkg.refresh_db(cache_valid_time=60, failhard=true)' },
    ]);
  });

  it(
    'a misspelt function is a compile error with did-you-mean; an unknown old-style function names ' + 'what exists',
    () => {
      expect(() => argsOf('x', 'run', { 'service.restrat': ['nginx'] })).toThrow(
        /main.sls:\d+: .*unknown argument 'service.restrat' \(did you mean 'service.restart'\?\)/,
      );
      expect(() => argsOf('x', 'run', { name: 'mine.send' })).toThrow(
        /argument 'name' must be one of .*\(got "mine.send"\)/,
      );
    },
  );

  it('wrong arguments to a function fail the state in the dry run (plan), not only when applied', () => {
    expect(() => planOf('x', { 'service.restart': [] })).toThrow(/service.restart: missing argument 'name'/);
    expect(() => planOf('x', { 'service.restart': ['a', 'b'] })).toThrow(/at most 1 positional/);
    expect(() => planOf('x', { 'file.mkdir': [{ dir: '/x' }] })).toThrow(
      /file.mkdir: unknown argument 'dir' \(takes dir_path, user, group, mode\)/,
    );
    expect(() => wait.plan(argsOf('x', 'wait', { 'cmd.run': [] }) as never, null, {} as never)).toThrow(
      /missing argument 'cmd'/,
    );
  });

  it('module.wait plans nothing on its own and refreshes (runs) when watched', () => {
    expect(wait.plan(argsOf('x', 'wait', { 'service.restart': ['nginx'] }) as never, null, {} as never)).toEqual([]);
    expect(wait.refreshVerb!({} as never)).toBe('run');
  });

  it('null arguments are unset', () => {
    expect(callsOf({ name: 'x', 'cmd.run': [{ cmd: 'true', cwd: null }] })[0]!.args).toEqual({ cmd: 'true' });
  });
});
