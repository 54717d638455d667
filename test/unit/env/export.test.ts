import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exportEnv } from '../../../engine/env/export.js';
import { EnvError } from '../../../engine/errors.js';

const env = {
  appliance: {
    domain: '  ecs.example.org  ',
    standby: false,
    ssl: { letsencrypt: { enabled: true } },
    allowed: ['a b', "it's"],
    empty: null,
    port: 8025,
    note: 'Grüße, $HOME `id` "quoted"\nsecond line',
  },
  ecs: { userswitcher: { enabled: false, parameter: '-it' } },
};

describe('env export', () => {
  it('flattens like the appliance scripts expect', () => {
    expect(exportEnv(env, 'appliance')).toEqual([
      "APPLIANCE_ALLOWED_0='a b'",
      "APPLIANCE_ALLOWED_1='it'\\''s'",
      'APPLIANCE_ALLOWED_LEN=2',
      'APPLIANCE_DOMAIN=ecs.example.org',
      'APPLIANCE_EMPTY=',
      `APPLIANCE_NOTE='Grüße, $HOME \`id\` "quoted"\nsecond line'`,
      'APPLIANCE_PORT=8025',
      'APPLIANCE_SSL_LETSENCRYPT_ENABLED=true',
      'APPLIANCE_STANDBY=false',
    ]);
  });

  it('takes several keys, a prefix, and sorts the lines', () => {
    const lines = exportEnv(env, 'ecs,appliance', 'export ');
    expect(lines).toEqual([...lines].sort());
    expect(lines).toContain('export ECS_USERSWITCHER_ENABLED=false');
    expect(lines).toContain('export ECS_USERSWITCHER_PARAMETER=-it');
    expect(lines.every((l) => l.startsWith('export '))).toBe(true);
  });

  it("'.' exports everything without a top-key prefix", () => {
    expect(exportEnv({ a: { b: 1 }, c: [] }, '.')).toEqual(['A_B=1', 'C_LEN=0']);
  });

  it('names a missing key', () => {
    expect(() => exportEnv(env, 'nope')).toThrow(EnvError);
    expect(() => exportEnv(env, 'nope')).toThrow(/key 'nope' not found/);
  });

  it('round-trips through bash eval', () => {
    const script =
      `eval "$(cat)"; printf '%s\\0' "$APPLIANCE_NOTE" "$APPLIANCE_ALLOWED_1" "$APPLIANCE_DOMAIN" ` +
      `"$APPLIANCE_ALLOWED_LEN" "$APPLIANCE_EMPTY" "$APPLIANCE_SSL_LETSENCRYPT_ENABLED"; env | grep -c ` +
      `'^APPLIANCE_' || true`;
    const out = execFileSync('bash', ['-c', script], {
      input: exportEnv(env, 'appliance', 'export ').join('\n'),
    }).toString();
    const [note, allowed1, domain, len, empty, le, count] = out.split('\0');
    expect(note).toBe(env.appliance.note.trim());
    expect(allowed1).toBe("it's");
    expect(domain).toBe('ecs.example.org');
    expect(len).toBe('2');
    expect(empty).toBe('');
    expect(le).toBe('true');
    expect(count?.trim()).toBe('9'); // every line became an exported variable
  });
});
