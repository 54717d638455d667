// A saved plan's record of the command line's pillar override (engine/plan/override.ts): a keyed
// digest that does not show a secret of the override, and the refusal of another override or none.
import { describe, expect, it } from 'vitest';
import { planKeys } from '../../../engine/plan/digest.js';
import { overrideDigest, overrideRefusal } from '../../../engine/plan/override.js';
import type { PlanHost } from '../../../engine/plan/types.js';
import { Redactor } from '../../../engine/redact.js';

const SECRET = 'Override-Secret-Value-5521';
const redactor = new Redactor();
redactor.add(SECRET);
const host = (pillarOverride?: string): PlanHost => ({
  host: 'm1',
  ...(pillarOverride ? { pillarOverride } : {}),
  states: [],
  summary: { total: 0, pending: 0, failed: 0 },
});

describe('plan and pillar override', () => {
  it('records a keyed digest: same override same digest, another plan id or value another', () => {
    const keys = planKeys('plan-id-0123456789', [SECRET], redactor);
    const a = overrideDigest(keys, { app: { db_password: SECRET } })!;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toContain(SECRET);
    expect(overrideDigest(keys, { app: { db_password: SECRET } })).toBe(a);
    expect(overrideDigest(keys, { app: { db_password: 'other-value-123' } })).not.toBe(a);
    expect(
      overrideDigest(planKeys('plan-id-9876543210', [SECRET], redactor), { app: { db_password: SECRET } }),
    ).not.toBe(a);
    expect(overrideDigest(keys, undefined)).toBeUndefined();
  });

  it('refuses a missing, an unexpected or another override; agrees on the same or none', () => {
    expect(overrideRefusal(host('d1'), host('d1'))).toBeUndefined();
    expect(overrideRefusal(host(), host())).toBeUndefined();
    expect(overrideRefusal(host('d1'), host())).toMatch(/made with a pillar override/);
    expect(overrideRefusal(host(), host('d1'))).toMatch(/made without a pillar override/);
    expect(overrideRefusal(host('d1'), host('d2'))).toMatch(/not the one the plan was made with/);
  });
});
