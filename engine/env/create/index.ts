// `brine env create`: a new env.yml for a new appliance, with fresh secrets, a DKIM key, PGP
// keys, the DNS records as comments, and optional extra settings deep-merged in.
import { isMap, parseDocument, type Document } from 'yaml';
import { EnvError } from '../../errors.js';
import { yamlReadOptions } from '../../render/yaml-schema.js';
import { checkEnv } from '../active.js';
import { isPlainMap, type Tree } from '../merge.js';
import { generateDkimKey } from './dkim.js';
import { dnsRecords } from './dns.js';
import { generatePgpKeys } from './pgp.js';
import { randomSecret } from './random.js';
import { envTemplate } from './template.js';

export interface CreateEnvOptions {
  domain: string;
  /** Zone the DNS records go into (default: the last two labels of the domain). */
  zone?: string;
  /** Public IPv4 address for the A and PTR records (default: placeholder). */
  ip?: string;
  /** Extra settings merged over the generated env (maps merged, lists replaced). */
  extra?: Tree;
  /** Names the extra settings in errors (their file). */
  extraLabel?: string;
}

const DOMAIN =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

function mergeInto(doc: Document, path: string[], value: unknown): void {
  if (isPlainMap(value) && (path.length === 0 || isMap(doc.getIn(path, true)))) {
    for (const [k, v] of Object.entries(value)) mergeInto(doc, [...path, k], v);
    return;
  }
  doc.setIn(path, doc.createNode(value));
}

function sentryDsn(extra: Tree | undefined): string | undefined {
  const a = extra?.appliance;
  const s = isPlainMap(a) ? a.sentry : undefined;
  return isPlainMap(s) && typeof s.dsn === 'string' ? s.dsn : undefined;
}

export async function createEnv(o: CreateEnvOptions): Promise<string> {
  const domain = o.domain.replace(/\.$/, '');
  if (!DOMAIN.test(domain)) throw new EnvError('env create', `'${o.domain}' is not a DNS name like ecs.example.org`);
  const dkim = generateDkimKey();
  const [backupKey, vaultEncryptKey, vaultSignKey] = await generatePgpKeys(
    ['ecs_backup', 'ecs_mediaserver', 'ecs_authority'],
    domain,
  );
  let text = envTemplate({
    domain,
    dnsRecords: dnsRecords({ domain, zone: o.zone, ip: o.ip, dkimPublicKey: dkim.publicKeyBase64 }),
    dkimKey: dkim.privateKeyPem,
    backupKey: backupKey!,
    vaultEncryptKey: vaultEncryptKey!,
    vaultSignKey: vaultSignKey!,
    secretKey: randomSecret(),
    registrationSecret: randomSecret(),
    passwordResetSecret: randomSecret(),
  });
  const dsn = sentryDsn(o.extra);
  if (dsn) text = text.replace("    # SENTRY_DSN = 'https://url'", `    SENTRY_DSN = '${dsn.replace(/'/g, "\\'")}'`);
  if (o.extra && Object.keys(o.extra).length) {
    // YAML 1.1 like every reader of env.yml (cloud-init, brine): a string 'yes' is written quoted
    const doc = parseDocument(text, yamlReadOptions);
    mergeInto(doc, [], o.extra);
    text = doc.toString({ lineWidth: 0 });
    if (!text.startsWith('#cloud-config\n')) text = `#cloud-config\n${text}`;
  }
  // what we write must pass our own schema; a mistake can only come from the extra settings
  try {
    checkEnv(text, `env for ${domain}`, null);
  } catch (e) {
    if (e instanceof EnvError && o.extra) throw new EnvError(o.extraLabel ?? '--extra', e.reason);
    throw e;
  }
  return text;
}
