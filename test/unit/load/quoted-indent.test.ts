// PyYAML's leniency for quoted scalars whose continuation lines sit left of their block (what Salt's
// `|yaml` of a string with a newline leaves in an SLS): re-indented, values and lines unchanged.
import { describe, expect, it } from 'vitest';
import { indentQuotedContinuations } from '../../../engine/load/quoted-indent.js';
import { isYamlProblem, readYamlData } from '../../../engine/load/yaml-data.js';

describe('quoted scalars continued left of their block', () => {
  const sls = "b:\n  file.managed:\n    - contents: 'Hi {{ x[''id''] }}!\n\n  '\n    - mode: '0644'\n";

  it('are indented to the quote; other lines, block scalars and closed quotes are left alone', () => {
    expect(indentQuotedContinuations(sls)).toBe(
      "b:\n  file.managed:\n    - contents: 'Hi {{ x[''id''] }}!\n\n                '\n    - mode: '0644'\n",
    );
    expect(indentQuotedContinuations("a: 'closed'\nb: |\n  'not a scalar\nc: 1\n")).toBeNull();
    expect(indentQuotedContinuations('a:\n  b: "x \\" y\nz"\n')).toBe('a:\n  b: "x \\" y\n     z"\n');
  });

  it('read as PyYAML reads them; a quote never closed is still an error naming its line', () => {
    expect(readYamlData(sls)).toMatchObject({
      data: { b: { 'file.managed': [{ contents: "Hi {{ x['id'] }}!\n" }, { mode: '0644' }] } },
    });
    const bad = readYamlData("a:\n  b: 'never closed\nc: 1\n");
    expect(isYamlProblem(bad) && bad.reason).toMatch(/^invalid YAML: Missing closing 'quote/);
  });
});
