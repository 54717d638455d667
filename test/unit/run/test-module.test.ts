// Salt's test states through the real runner.
import { describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { LocalHost } from '../../../engine/host/local.js';
import { runCompiled } from '../../../engine/run/index.js';
import { decl, high } from '../compile/highdata-builder.js';

const run = (decls: ReturnType<typeof decl>[], test = false) =>
  runCompiled(compile(high(decls)), { host: new LocalHost(), statesDir: '/nonexistent', test });

describe('test module', () => {
  it('each state behaves like Salt, real run', async () => {
    const r = await run([
      decl('nop', 'test.nop'),
      decl('swoc', 'test.succeed_without_changes'),
      decl('swc', 'test.succeed_with_changes'),
      decl('fwoc', 'test.fail_without_changes'),
      decl('fwc', 'test.fail_with_changes'),
      decl('conf', 'test.configurable_test_state', { changes: false, result: true, comment: 'as told' }),
      decl('conffail', 'test.configurable_test_state', { changes: true, result: false, comment: 'broke' }),
      decl('note', 'test.show_notification', { text: 'read me' }),
    ]);
    const view = r.results.map((x) => [x.id, x.result, x.changes.length, x.comment]);
    expect(view).toEqual([
      ['nop', true, 0, 'Already in the desired state'],
      ['swoc', true, 0, 'Success!'],
      ['swc', true, 1, 'Success!'],
      ['fwoc', false, 0, 'fwoc: Failure!'],
      ['fwc', false, 1, 'Failure!'],
      ['conf', true, 0, 'as told'],
      ['conffail', false, 1, 'broke'],
      ['note', true, 0, 'read me'],
    ]);
  });

  it('test mode: states with changes are null', async () => {
    const r = await run(
      [decl('swc', 'test.succeed_with_changes'), decl('fwc', 'test.fail_with_changes'), decl('nop', 'test.nop')],
      true,
    );
    expect(r.results.map((x) => x.result)).toEqual([null, null, true]);
  });
});
