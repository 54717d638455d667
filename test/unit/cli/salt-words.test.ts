// Salt's key=value words on brine's command line: test= as --test, pillar= the override, any other
// key=value refused naming its key.
import { describe, expect, it } from 'vitest';
import { keyValueWordsOut, parseTestWord, saltWordsOf } from '../../../bin/commands/salt-words.js';

const run = { hasTest: true };

describe('test= word', () => {
  it('True/true/1 and False/false/0; anything else is a usage error naming the word', () => {
    for (const v of ['True', 'true', '1', 'TRUE']) expect(parseTestWord(v)).toBe(true);
    for (const v of ['False', 'false', '0']) expect(parseTestWord(v)).toBe(false);
    expect(() => parseTestWord('maybe')).toThrow('test=maybe: expected test=True or test=False');
    expect(() => parseTestWord('')).toThrow('test=: expected test=True or test=False');
  });

  it('is --test where the command has one, taken out of the words', () => {
    expect(saltWordsOf(['common', 'test=True', 'web'], {}, run)).toEqual({ words: ['common', 'web'], test: true });
    expect(saltWordsOf(['test=False'], {}, run)).toEqual({ words: [], test: false });
    expect(saltWordsOf(['test=true'], { test: true }, run)).toEqual({ words: [], test: true });
    expect(saltWordsOf(['common'], { test: true }, run)).toEqual({ words: ['common'], test: true });
    expect(saltWordsOf(['common'], {}, run)).toEqual({ words: ['common'] });
  });

  it('with the pillar override in either order', () => {
    const r = saltWordsOf(['test=1', 'pillar={"a": {"b": 1}}'], {}, { hasTest: true, only: true });
    expect(r).toEqual({ words: [], override: { a: { b: 1 } }, test: true });
  });

  it('refuses a contradiction, a second test=, and test= where there is no --test', () => {
    expect(() => saltWordsOf(['test=False'], { test: true }, run)).toThrow('test=False contradicts --test');
    expect(() => saltWordsOf(['test=True', 'test=1'], {}, run)).toThrow('test= given twice');
    expect(() => saltWordsOf(['test=True'], {}, { hasTest: false })).toThrow(
      'test=: this command has no dry run (no --test): leave test= out',
    );
  });
});

describe('other key=value words', () => {
  it('are refused naming the key only (the value may be a secret)', () => {
    expect(() => saltWordsOf(['saltenv=base'], {}, run)).toThrow(
      "unknown argument 'saltenv=' (of Salt's key=value words brine takes pillar= and test=)",
    );
    expect(() => saltWordsOf(['web', 'queue=True'], {}, { hasTest: false })).toThrow("unknown argument 'queue='");
  });

  it('a plain word where the command takes none names what it takes', () => {
    expect(() => saltWordsOf(['common'], {}, { hasTest: true, only: true })).toThrow(
      "unexpected argument 'common' (the words taken here are pillar='{...}' and test=True)",
    );
    expect(() => saltWordsOf(['x'], {}, { hasTest: false, only: true })).toThrow(
      "unexpected argument 'x' (the words taken here are pillar='{...}')",
    );
  });
});

describe('key=value words after a variadic option', () => {
  it("go back among the positional words: `--sls a pillar='{...}' test=True`", () => {
    expect(keyValueWordsOut(['common', "pillar={'a': 1}", 'web', 'test=True'])).toEqual({
      values: ['common', 'web'],
      words: ["pillar={'a': 1}", 'test=True'],
    });
    expect(keyValueWordsOut(['common'])).toEqual({ values: ['common'], words: [] });
  });
});
