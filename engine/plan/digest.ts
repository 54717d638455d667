// Keyed digests for saved plans. A plan is shared (a merge request, a CI artifact), so a digest
// must not let its reader confirm a guessed secret: sha256(content) of a file that holds a
// password can be checked against guesses offline. Every digest is therefore an HMAC-SHA256:
//
// - of content that holds none of the run's secrets (Redactor.holdsSecret), keyed with a public
//   per-plan key (from the plan's random id): such a digest only says "the same as at review";
// - of content that holds a secret, keyed with a key derived from the plan's id AND every secret
//   value of that host's run (pillar/env secrets, inventory vars, secret state arguments). Whoever
//   can apply the plan has the env and derives the key again; whoever only has the plan file
//   cannot compute a digest for a guess without knowing all of the env's other secrets too (the
//   generated keys of `brine env create` make that a 256-bit search). The key itself is never
//   written anywhere.
//
// A changed secret changes only the digests of content that holds secrets (the public key does
// not depend on them), so the apply names the states that use it rather than every state.
import { createHash, createHmac } from 'node:crypto';
import type { Redactor } from '../redact.js';
import { canonicalJson } from './canonical.js';

export interface PlanKeys {
  /** HMAC-SHA256 of a value: keyed with the secret key when its canonical JSON holds a secret. */
  digest(value: unknown): string;
  /** Whether a text holds one of the run's secrets (or looks like one). */
  holdsSecret(text: string): boolean;
  /** A keyed digest of a text known to hold a secret (a file's sha256 in a change). */
  secretDigest(text: string): string;
}

export function planKeys(planId: string, secrets: Iterable<string>, redactor: Redactor): PlanKeys {
  const pub = createHash('sha256').update(`brine-plan/public/${planId}`).digest();
  const material = createHash('sha256');
  for (const s of [...new Set([...secrets].map(String))].sort()) material.update(s).update('\0');
  const sec = createHmac('sha256', material.digest()).update(`brine-plan/secret/${planId}`).digest();
  const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');
  return {
    digest(value) {
      const text = canonicalJson(value);
      return mac(redactor.holdsSecret(text) ? sec : pub, text);
    },
    holdsSecret: (text) => redactor.holdsSecret(text),
    secretDigest: (text) => mac(sec, text),
  };
}
