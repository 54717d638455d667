// File modes as SLS writes them: '0644', 644, '644', '0o644', 'u=rw' is not supported.
// An integer is read as octal digits (Salt's convention: `mode: 644` means 0644).

import { StateError } from '../../engine/errors.js';

export function parseMode(v: unknown, where = 'mode'): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = typeof v === 'number' ? String(v) : String(v).trim().replace(/^0o/i, '');
  if (!/^[0-7]{1,4}$/.test(s)) throw new StateError(where, `invalid mode '${String(v)}' (use octal like '0644')`);
  return parseInt(s, 8);
}

export function fmtMode(m: number | undefined): string | undefined {
  return m === undefined ? undefined : '0' + m.toString(8).padStart(3, '0');
}

/** JSON schema for a mode argument. */
export const modeSchema = {
  anyOf: [
    { type: 'string', pattern: '^(0o|0)?[0-7]{1,4}$', octalDigits: true },
    { type: 'integer', minimum: 0, octalDigits: true },
  ],
};
