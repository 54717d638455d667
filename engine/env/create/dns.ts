// The DNS records a new appliance needs (manual: DNS Setup), as zone-file lines ready to paste:
// A, MX, SPF TXT, DMARC TXT, DKIM TXT (default._domainkey, strings of at most 250 characters)
// and the reverse PTR, for a domain at the zone apex or a subdomain in it.
import { EnvError } from '../../errors.js';

export interface DnsOptions {
  domain: string;
  /** The zone the records go into; default: the last two labels of domain. */
  zone?: string;
  /** The appliance's public IPv4 address; default the placeholder 1.2.3.4. */
  ip?: string;
  dkimPublicKey: string;
}

/** Splits a TXT value into quoted strings of at most `max` characters. */
export function txtStrings(value: string, max = 250): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += max) out.push(`"${value.slice(i, i + max)}"`);
  return out;
}

export function dnsRecords(o: DnsOptions): string[] {
  const domain = o.domain.replace(/\.$/, '');
  const zone = (o.zone ?? domain.split('.').slice(-2).join('.')).replace(/\.$/, '');
  if (domain !== zone && !domain.endsWith(`.${zone}`))
    throw new EnvError('env create', `--zone ${zone} does not contain ${domain}`);
  const ip = o.ip ?? '1.2.3.4';
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip))
    throw new EnvError('env create', `--ip ${ip}: expected an IPv4 address`);
  const rel = domain === zone ? '' : domain.slice(0, -(zone.length + 1));
  const name = (label: string): string => (rel ? (label === '@' ? rel : `${label}.${rel}`) : label);
  const reverse = `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
  const dkim = ['"v=DKIM1; k=rsa; s=email; "', ...txtStrings(`p=${o.dkimPublicKey}`)];
  return [
    `; DNS records for ${domain} in zone ${zone}${o.ip ? '' : ' (replace 1.2.3.4 with the public IPv4 address)'}`,
    `${name('@')}  IN  A     ${ip}`,
    `${name('@')}  IN  MX    10 ${domain}.`,
    `${name('@')}  IN  TXT   "v=spf1 a mx ptr ~all"`,
    `${name('_dmarc')}  IN  TXT   "v=DMARC1; p=quarantine"`,
    `${name('default._domainkey')}  IN  TXT   ( ${dkim[0]}`,
    ...dkim.slice(1).map((s, i, a) => `    ${s}${i === a.length - 1 ? ' )' : ''}`),
    `; the reverse record, set by whoever owns the address:`,
    `${reverse}  IN  PTR   ${domain}.`,
  ];
}
