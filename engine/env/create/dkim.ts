// The DKIM signing key of a new appliance: RSA 2048 (node:crypto), PEM for opendkim, and the
// public key as the base64 SubjectPublicKeyInfo that goes into the `p=` of the DNS record.
import { generateKeyPairSync } from 'node:crypto';

export interface DkimKey {
  /** PEM, `-----BEGIN RSA PRIVATE KEY-----`. */
  privateKeyPem: string;
  /** base64 DER SubjectPublicKeyInfo (no header lines, no newlines). */
  publicKeyBase64: string;
}

export function generateDkimKey(bits = 2048): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return { privateKeyPem: privateKey, publicKeyBase64: publicKey.toString('base64') };
}
