// compile resolves `module.function` in the registry its caller hands it, not in a global one.
import { describe, expect, it } from 'vitest';
import type { StateRegistry } from '../../../engine/contract.js';
import { compile } from '../../../engine/compile/index.js';
import { registry } from '../../../modules/index.js';
import { decl, high } from './highdata-builder.js';

const only: StateRegistry = { probe: { nop: registry.test!.nop! } };

describe('the module registry is handed to compile', () => {
  it('resolves in the given registry only', () => {
    expect(compile(high([decl('a', 'probe.nop')]), only).chunks[0]!.fn).toBe(registry.test!.nop);
    expect(() => compile(high([decl('a', 'test.nop')]), only)).toThrow(
      /unknown state function 'test.nop' \(no state module 'test'/,
    );
    expect(compile(high([decl('a', 'test.nop')]), registry).chunks).toHaveLength(1);
  });

  it('the real registry cannot be changed by a test', () => {
    expect(Object.isFrozen(registry)).toBe(true);
    expect(() => {
      (registry as Record<string, unknown>).probe = {};
    }).toThrow(TypeError);
  });
});
