import { describe, expect, it } from 'vitest';
import { TEMP_REGEX } from '../../../engine/host/temp-cleanup.js';
import { tempPath } from '../../../engine/host/temp-name.js';

describe('tempPath', () => {
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  it('is .NAME.brine-SUFFIX next to the target', () => {
    expect(tempPath('/srv/a b/x.conf', '0123456789ab')).toBe('/srv/a b/.x.conf.brine-0123456789ab');
  });
  it('keeps a name near the 255-byte limit to whole characters that fit, still swept', () => {
    for (const name of ['M'.repeat(255), 'ü'.repeat(127), `${'a'.repeat(230)}日本語`]) {
      const t = tempPath(`/srv/${name}`, '0123456789ab');
      expect(Buffer.byteLength(base(t))).toBeLessThanOrEqual(255);
      expect(base(t)).not.toContain('\uFFFD');
      expect(new RegExp(`^${TEMP_REGEX}$`).test(t)).toBe(true);
    }
  });
});
