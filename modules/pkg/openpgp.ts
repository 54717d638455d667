// The fingerprints of the keys in an OpenPGP keyring (binary or ASCII-armored), read in-process
// so that pkgrepo.managed's facts need no gpg on the target and the dry run writes nothing (gpg
// --show-keys would create a home directory). Public-key and public-subkey packets, versions 4
// (SHA-1 over 0x99, length, body, RFC 4880) and 6 (SHA-256 over 0x9b, length, body, RFC 9580).
import { createHash } from 'node:crypto';

const ARMOR = /-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/g;

/** The binary packets of every armored public key block in the text; empty when it has none. */
export function dearmor(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const m of text.matchAll(ARMOR)) {
    const body = m[1] ?? '';
    // armor headers end at the first empty line; the checksum line starts with '='
    const blank = body.search(/\r?\n\r?\n/);
    const data = /^[A-Za-z-]+: /.test(body) && blank >= 0 ? body.slice(blank) : body;
    const b64 = data
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '' && !l.startsWith('='))
      .join('');
    parts.push(Buffer.from(b64, 'base64'));
  }
  return Buffer.concat(parts);
}

const isArmored = (b: Buffer): boolean => b.subarray(0, 4096).toString('latin1').includes('-----BEGIN PGP ');

interface Packet {
  tag: number;
  body: Buffer;
}

/** Splits binary OpenPGP data into packets; stops at the first malformed header. */
function packets(data: Buffer): Packet[] {
  const out: Packet[] = [];
  let i = 0;
  while (i < data.length) {
    const h = data[i]!;
    if ((h & 0x80) === 0) break;
    let tag: number;
    let len: number;
    let at: number;
    if (h & 0x40) {
      tag = h & 0x3f;
      const l1 = data[i + 1] ?? 0;
      if (l1 < 192) [len, at] = [l1, i + 2];
      else if (l1 < 224) [len, at] = [((l1 - 192) << 8) + (data[i + 2] ?? 0) + 192, i + 3];
      else if (l1 === 255) [len, at] = [data.readUInt32BE(i + 2), i + 6];
      else break; // partial lengths never frame key packets
    } else {
      tag = (h >> 2) & 0x0f;
      const t = h & 3;
      if (t === 0) [len, at] = [data[i + 1] ?? 0, i + 2];
      else if (t === 1) [len, at] = [data.readUInt16BE(i + 1), i + 3];
      else if (t === 2) [len, at] = [data.readUInt32BE(i + 1), i + 5];
      else [len, at] = [data.length - i - 1, i + 1];
    }
    if (at + len > data.length) break;
    out.push({ tag, body: data.subarray(at, at + len) });
    i = at + len;
  }
  return out;
}

function fingerprint(body: Buffer): string | null {
  const version = body[0];
  if (version === 4) {
    const head = Buffer.from([0x99, (body.length >> 8) & 0xff, body.length & 0xff]);
    return createHash('sha1').update(head).update(body).digest('hex').toUpperCase();
  }
  if (version === 6) {
    const head = Buffer.alloc(5);
    head[0] = 0x9b;
    head.writeUInt32BE(body.length, 1);
    return createHash('sha256').update(head).update(body).digest('hex').toUpperCase();
  }
  return null;
}

/** Fingerprints (upper-case hex) of the primary keys and subkeys in a keyring file's bytes. */
export function keyringFingerprints(data: Buffer): string[] {
  const bin = isArmored(data) ? dearmor(data.toString('latin1')) : data;
  const fprs: string[] = [];
  for (const p of packets(bin)) {
    if (p.tag !== 6 && p.tag !== 14) continue;
    const f = fingerprint(p.body);
    if (f) fprs.push(f);
  }
  return fprs;
}

/** A keyid as Salt takes it (short, long or a fingerprint, with or without 0x), upper case. */
export const normKeyid = (keyid: string): string => keyid.replace(/^0x/i, '').replace(/\s+/g, '').toUpperCase();

/** Does a key with this id (v4: the fingerprint's tail; v6: its head) appear among the fingerprints? */
export function hasKeyid(fprs: string[], keyid: string): boolean {
  const k = normKeyid(keyid);
  return fprs.some((f) => (f.length === 40 ? f.endsWith(k) : f.startsWith(k)));
}
