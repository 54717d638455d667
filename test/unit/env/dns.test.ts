import { describe, expect, it } from 'vitest';
import { dnsRecords, txtStrings } from '../../../engine/env/create/dns.js';
import { EnvError } from '../../../engine/errors.js';

const KEY = 'A'.repeat(392); // the length of a 2048-bit RSA SubjectPublicKeyInfo in base64

describe('DNS records for a new env', () => {
  it('apex domain: records at @, the PTR of the address', () => {
    const r = dnsRecords({ domain: 'whatever.me', ip: '1.2.3.4', dkimPublicKey: KEY });
    expect(r).toContain('@  IN  A     1.2.3.4');
    expect(r).toContain('@  IN  MX    10 whatever.me.');
    expect(r).toContain('@  IN  TXT   "v=spf1 a mx ptr ~all"');
    expect(r).toContain('_dmarc  IN  TXT   "v=DMARC1; p=quarantine"');
    expect(r).toContain('default._domainkey  IN  TXT   ( "v=DKIM1; k=rsa; s=email; "');
    expect(r).toContain('4.3.2.1.in-addr.arpa.  IN  PTR   whatever.me.');
  });

  it('subdomain: names relative to the zone (the manual: sub, default._domainkey.sub)', () => {
    const r = dnsRecords({ domain: 'sub.whatever.me', ip: '5.6.7.8', dkimPublicKey: KEY });
    expect(r).toContain('sub  IN  A     5.6.7.8');
    expect(r).toContain('sub  IN  MX    10 sub.whatever.me.');
    expect(r).toContain('_dmarc.sub  IN  TXT   "v=DMARC1; p=quarantine"');
    expect(r.some((l) => l.startsWith('default._domainkey.sub  IN  TXT'))).toBe(true);
    expect(r).toContain('8.7.6.5.in-addr.arpa.  IN  PTR   sub.whatever.me.');
    const z = dnsRecords({ domain: 'ecs.med.example.co.uk', zone: 'example.co.uk', dkimPublicKey: KEY });
    expect(z).toContain('ecs.med  IN  A     1.2.3.4');
    expect(() => dnsRecords({ domain: 'a.b.c', zone: 'x.y', dkimPublicKey: KEY })).toThrow(EnvError);
    expect(() => dnsRecords({ domain: 'a.b', ip: '1.2.3', dkimPublicKey: KEY })).toThrow(/--ip 1\.2\.3/);
  });

  it('splits the DKIM key into TXT strings of at most 250 characters that join back', () => {
    const r = dnsRecords({ domain: 'whatever.me', dkimPublicKey: KEY });
    const strings: string[] = r.join('\n').match(/"[^"]*"/g) ?? [];
    const dkim = strings.slice(strings.indexOf('"v=DKIM1; k=rsa; s=email; "'));
    expect(dkim.length).toBeGreaterThanOrEqual(3);
    for (const s of dkim) expect(s.length - 2).toBeLessThanOrEqual(250);
    expect(dkim.map((s) => s.slice(1, -1)).join('')).toBe(`v=DKIM1; k=rsa; s=email; p=${KEY}`);
    expect(txtStrings('x'.repeat(501))).toHaveLength(3);
  });
});
