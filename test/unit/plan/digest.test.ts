// Keyed digests of saved plans (engine/plan/digest.ts, canonical.ts): stable whatever the key
// order; content without secrets keyed only by the plan id; content with a secret keyed by the
// plan id and every secret, so the plan's reader cannot confirm a guess.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../engine/plan/canonical.js';
import { planKeys } from '../../../engine/plan/digest.js';
import { Redactor } from '../../../engine/redact.js';

const SECRET = 'correct-horse-battery-staple-42';
const OTHER = 'x9Vq2LmT7rPz4KwN8sJd';
const redactorWith = (...s: string[]) => {
  const r = new Redactor();
  for (const x of s) r.add(x);
  return r;
};

describe('canonicalJson', () => {
  it('is the same for the same value built in another order, Maps, Sets and bytes included', () => {
    const a = {
      b: 1,
      a: [1, { y: 2, x: 1 }],
      m: new Map([
        ['k2', 2],
        ['k1', 1],
      ]),
      s: new Set(['b', 'a']),
      buf: Buffer.from('hi'),
      u: undefined,
    };
    const b = {
      s: new Set(['a', 'b']),
      buf: Buffer.from('hi'),
      m: new Map([
        ['k1', 1],
        ['k2', 2],
      ]),
      a: [1, { x: 1, y: 2 }],
      b: 1,
    };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toContain('{"$text":"hi"}');
    expect(canonicalJson({ b: Buffer.from([0xff, 0xfe]) })).toBe('{"b":{"$base64":"//4="}}');
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    expect(canonicalJson(cyc)).toBe('{"a":1,"self":"[cycle]"}');
  });
});

describe('planKeys', () => {
  it('digests of content without secrets depend on the plan id only', () => {
    const k1 = planKeys('plan-1', [SECRET], redactorWith(SECRET));
    const k2 = planKeys('plan-1', [SECRET, OTHER], redactorWith(SECRET, OTHER));
    const k3 = planKeys('plan-2', [SECRET], redactorWith(SECRET));
    expect(k1.digest({ content: 'hello' })).toBe(k2.digest({ content: 'hello' }));
    expect(k1.digest({ content: 'hello' })).not.toBe(k3.digest({ content: 'hello' }));
    expect(k1.digest({ content: 'hello' })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('digests of content with a secret need every secret: a reader of the plan cannot confirm a guess', () => {
    const value = { content: `password=${SECRET}\n` };
    const right = planKeys('plan-1', [SECRET, OTHER], redactorWith(SECRET, OTHER));
    const again = planKeys('plan-1', [OTHER, SECRET], redactorWith(OTHER, SECRET));
    expect(right.digest(value)).toBe(again.digest(value));
    // the guesser knows the plan id and guesses the password right, but not the env's other secret
    const guess = planKeys('plan-1', [SECRET], redactorWith(SECRET));
    expect(guess.digest(value)).not.toBe(right.digest(value));
    // nor is it any plain or public-keyed hash of the content
    const text = canonicalJson(value);
    const pub = createHash('sha256').update('brine-plan/public/plan-1').digest();
    expect(right.digest(value)).not.toBe(createHmac('sha256', pub).update(text).digest('hex'));
    expect(right.digest(value)).not.toBe(createHash('sha256').update(text).digest('hex'));
    // a changed secret changes this digest, not the digests of content without secrets
    const changed = planKeys(
      'plan-1',
      ['another-password-value-9', OTHER],
      redactorWith('another-password-value-9', OTHER),
    );
    expect(changed.digest(value)).not.toBe(right.digest(value));
    expect(changed.digest({ content: 'hello' })).toBe(right.digest({ content: 'hello' }));
  });
});
