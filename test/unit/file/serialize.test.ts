// file.serialize's formats as Salt writes them (PyYAML block style / json indent 2, keys sorted).
import { describe, expect, it } from 'vitest';
import { deserialize, mergeRecurse, serialize } from '../../../modules/file/serialize-format.js';

const data = {
  name: 'naive',
  a_list: ['first', 'second'],
  nested: { b: [{ x: 1, on: 'yes' }], a: true, n: null },
  mode: '0644',
};

describe('file.serialize formats', () => {
  it('yaml: block style, keys sorted, lists not indented under their key, YAML 1.1 words quoted', () => {
    expect(serialize(data, 'yaml')).toBe(
      "a_list:\n- first\n- second\nmode: '0644'\nname: naive\nnested:\n  a: true\n  b:\n  - 'on': 'yes'\n    x: 1\n " +
        " 'n': null\n",
    );
  });
  it('json: indent 2, keys sorted, non-ASCII escaped', () => {
    expect(serialize({ b: 1, a: ['ü'] }, 'json')).toBe('{\n  "a": [\n    "\\u00fc"\n  ],\n  "b": 1\n}');
  });
  it('reads back what it writes', () => {
    expect(deserialize(serialize(data, 'yaml'), 'yaml')).toEqual(data);
    expect(deserialize(serialize(data, 'json'), 'json')).toEqual(data);
  });
  it('merge_if_exists: maps merged deeply, lists replaced unless merge_lists', () => {
    const old = { a: { x: 1, l: [1, 2] }, keep: true };
    expect(mergeRecurse(old, { a: { y: 2, l: [3] } }, false)).toEqual({ a: { x: 1, y: 2, l: [3] }, keep: true });
    expect(mergeRecurse(old, { a: { l: [2, 3] } }, true)).toEqual({ a: { x: 1, l: [1, 2, 3] }, keep: true });
    expect(mergeRecurse([1], { a: 1 }, false)).toEqual({ a: 1 });
  });
});
