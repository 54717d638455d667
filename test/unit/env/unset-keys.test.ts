// Env compatibility: an env.yml written for the original appliance has keys written with no value
// (`standby:`); they mean unset, as the original's `pillar.get('x', default)` reads them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../../engine/env/active.js';
import { exportEnv } from '../../../engine/env/export.js';
import { mergeTrees } from '../../../engine/env/merge.js';
import { dropUnset } from '../../../engine/env/parse.js';

const DEFAULT_ENV = readFileSync(new URL('../../../pillar/default-env.yml', import.meta.url), 'utf8');

describe('env keys written with no value', () => {
  it('load without a schema error and are absent from the tree (list items stay)', () => {
    const text = DEFAULT_ENV.replace(/^ {2}standby: false$/m, '  standby:').replace(
      /^ {2}storage:\n {4}ignore:\n {6}volatile: true\n {6}data: true$/m,
      '  storage:\n    setup:\n    ignore:\n      volatile:\n      data: true',
    );
    expect(text).toMatch(/^ {2}standby:$/m);
    expect(text).toMatch(/^ {6}volatile:$/m);
    const env = checkEnv(text, 'old-env.yml', 'file:old-env.yml');
    const appliance = env.parsed.tree.appliance as Record<string, unknown>;
    expect(Object.hasOwn(appliance, 'standby')).toBe(false);
    expect(appliance.storage).toEqual({ ignore: { data: true } });
    // the pillar's default applies where the env says nothing
    const merged = mergeTrees(
      { appliance: { standby: false, storage: { ignore: { volatile: true } } } },
      env.parsed.tree,
    );
    expect((merged.appliance as Record<string, unknown>).standby).toBe(false);
    expect(exportEnv(env.parsed.tree, 'appliance').some((l) => l.startsWith('APPLIANCE_STANDBY'))).toBe(false);
  });

  it('a wrong value is still an error naming file and line', () => {
    const text = DEFAULT_ENV.replace(/^ {2}standby: false$/m, '  standby: maybe');
    expect(() => checkEnv(text, 'old-env.yml', 'file:old-env.yml')).toThrow(
      /old-env\.yml:\d+: appliance\.standby: expected boolean/,
    );
  });

  it('dropUnset keeps falsy values and null list items', () => {
    expect(dropUnset({ a: null, b: false, c: 0, d: '', e: [null, 1], f: { g: null, h: { i: null } } })).toEqual({
      b: false,
      c: 0,
      d: '',
      e: [null, 1],
      f: { h: {} },
    });
  });
});
