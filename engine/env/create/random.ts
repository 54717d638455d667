// Fresh random secrets for a new env (same shape as `openssl rand -base64 39`).
import { randomBytes } from 'node:crypto';

export function randomSecret(bytes = 39): string {
  return randomBytes(bytes).toString('base64');
}
