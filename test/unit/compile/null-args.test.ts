// null means unset (Salt passes None, the function's default applies); unknown state functions.
import { describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { decl, high } from './highdata-builder.js';

describe('null arguments', () => {
  it('are dropped before validation, so a schema that wants a string accepts them', () => {
    const c = compile(high([decl('/x', 'file.managed', { contents: 'a', mode: null, user: null, template: null })]))
      .chunks[0]!;
    expect(c.args).toEqual({ name: '/x', contents: 'a' });
  });
  it('a misspelt argument is still an error with did-you-mean, null or not', () => {
    expect(() => compile(high([decl('/x', 'file.managed', { contents: 'a', mdoe: null })]))).toThrow(
      /unknown argument 'mdoe' \(did you mean 'mode'\?\)/,
    );
  });
});

describe('unknown state functions', () => {
  it('get a did-you-mean for a likely typo, none for something far off', () => {
    expect(() => compile(high([decl('/x', 'file.manged', {})]))).toThrow(
      /unknown state function 'file.manged' \(did you mean 'file.managed'\?\)$/,
    );
    expect(() => compile(high([decl('x', 'sysctl.presnt', { value: 1 })]))).toThrow(
      /\(did you mean 'sysctl.present'\?\)$/,
    );
    expect(() => compile(high([decl('x', 'zabbix.host_present', {})]))).toThrow(
      /unknown state function 'zabbix.host_present' \(no state module 'zabbix'\)$/,
    );
    expect(() => compile(high([decl('f', 'file.frobnicate', {})]))).toThrow(
      /unknown state function 'file.frobnicate'$/,
    );
  });
});

describe('requisites with no entries (`- require:` and nothing under it)', () => {
  it("require/watch/prereq/onchanges: an error in Salt's words (its verify_high refuses them)", () => {
    const d = decl('/x', 'file.managed', { contents: 'a', require: null });
    expect(() => compile(high([d]))).toThrow(
      `main.sls:${d.args[1]!.loc.line}: state '/x' (file.managed): ` +
        'the require statement needs to be formed as a list (it has no entries; Salt refuses it too)',
    );
  });

  it('the other requisites and every *_in: nothing (Salt skips them)', () => {
    const c = compile(
      high([
        decl('/x', 'file.managed', { contents: 'a', onfail: null, require_in: null, listen: null, watch_in: null }),
      ]),
    );
    expect(c.chunks[0]!.requisites).toEqual([]);
  });
});
