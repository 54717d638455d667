// Password verifiers as PostgreSQL stores them. brine sends a SCRAM-SHA-256 verifier it computed
// itself (the server stores it as is), so the clear password never reaches the server, its logs
// or a psql error; and it checks a stored SCRAM or MD5 verifier against the wanted password
// without ever reading the password back.

import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 4096;

function scramKeys(password: string, salt: Buffer, iterations: number): { stored: Buffer; server: Buffer } {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    stored: createHash('sha256').update(clientKey).digest(),
    server: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** A fresh SCRAM-SHA-256 verifier (random salt). */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  const { stored, server } = scramKeys(password, salt, iterations);
  const [s, st, sv] = [salt, stored, server].map((b) => b.toString('base64'));
  return `SCRAM-SHA-256$${iterations}:${s}$${st}:${sv}`;
}

/** An md5 verifier (`md5` + md5(password + role)), for `encrypted: md5`. */
export function md5Verifier(password: string, role: string): string {
  return `md5${createHash('md5')
    .update(password + role)
    .digest('hex')}`;
}

/** Whether a stored verifier (SCRAM-SHA-256 or md5) matches the password; null when it cannot tell. */
export function verifierMatches(stored: string | null, password: string, role: string): boolean | null {
  if (stored === null) return false;
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (m) {
    const keys = scramKeys(password, Buffer.from(m[2]!, 'base64'), Number(m[1]));
    const a = Buffer.from(m[3]!, 'base64');
    const b = Buffer.from(m[4]!, 'base64');
    return (
      a.length === keys.stored.length &&
      b.length === keys.server.length &&
      timingSafeEqual(a, keys.stored) &&
      timingSafeEqual(b, keys.server)
    );
  }
  if (/^md5[0-9a-f]{32}$/.test(stored)) {
    return stored === md5Verifier(password, role);
  }
  return null;
}
