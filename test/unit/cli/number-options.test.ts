import { describe, expect, it } from 'vitest';
import { positiveInt, seconds } from '../../../bin/commands/number-options.js';
import { UsageError } from '../../../engine/errors.js';

describe('numeric CLI options', () => {
  it('take digits only: blank, hex, exponent, decimal and signed values are refused naming the flag', () => {
    const lock = seconds('--lock-timeout');
    expect(lock('0')).toBe(0);
    expect(lock('300')).toBe(300);
    for (const bad of ['', ' ', '0x10', '1e2', '1.0', '-1', '+5', 'abc', '10s']) {
      expect(() => lock(bad)).toThrow(UsageError);
      expect(() => lock(bad)).toThrow(`--lock-timeout must be a whole number of seconds, got '${bad}'`);
    }
  });

  it('positiveInt refuses 0 as well', () => {
    const par = positiveInt('--parallel');
    expect(par('8')).toBe(8);
    for (const bad of ['0', '', '2.5', '1e1']) expect(() => par(bad)).toThrow(`--parallel must be a positive integer`);
  });
});
