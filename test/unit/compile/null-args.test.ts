// null means unset (Salt passes None, the function's default applies).
import { describe, expect, it } from 'vitest';
import { compile } from '../../../engine/compile/index.js';
import { decl, high } from './highdata-builder.js';

describe('null arguments', () => {
  it('are dropped before validation, so a schema that wants a string accepts them', () => {
    const c = compile(high([decl('/x', 'file.managed', { contents: 'a', mode: null, user: null, template: null })])).chunks[0]!;
    expect(c.args).toEqual({ name: '/x', contents: 'a' });
  });
  it("a misspelt argument is still an error with did-you-mean, null or not", () => {
    expect(() => compile(high([decl('/x', 'file.managed', { contents: 'a', mdoe: null })]))).toThrow(/unknown argument 'mdoe' \(did you mean 'mode'\?\)/);
  });
});
