// A real ACME server for the certificate tests: pebble (RFC 8555 test server, Debian package
// `pebble`, installed on this machine by scripts/ci.d/21-docker-target.sh) run *inside* the target, so its
// HTTP-01 validation reaches the target's own nginx on port 80: the test domain resolves to
// 127.0.0.1 there (/etc/hosts). Real validation, no PEBBLE_VA_ALWAYS_VALID. pebble's API is https
// only: its listener certificate comes from a throwaway CA made here, which dehydrated trusts through
// the TEST ONLY pillar keys appliance:ssl:letsencrypt:ca and :ca_cert (see states/ssl).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../../harness/nspawn.js';

export const PEBBLE_BIN = '/usr/bin/pebble';
export const ACME_DIRECTORY = 'https://localhost:14000/dir';
export const PEBBLE_MANAGEMENT = 'https://127.0.0.1:15000';

export interface Pebble {
  /** The CA (PEM) of pebble's own https listener: what dehydrated must trust. */
  apiCa: string;
  /** The root that signs the certificates pebble issues (PEM; pebble makes a new one per start). */
  issuingRoot(): Promise<string>;
  /** The pillar lines (YAML, under appliance:ssl:letsencrypt) that point dehydrated at pebble. */
  pillarYaml(): string;
  /** Stops pebble (the ACME server is unreachable then). */
  stop(): Promise<void>;
  /** Starts it again (same listener certificate; a new issuing root). */
  start(): Promise<void>;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA and a localhost/127.0.0.1 certificate signed by it, for pebble's API listener. */
function listenerCert(): { ca: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'brine-pebble-'));
  try {
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=brine test ACME API CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ]);
    openssl(dir, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      'key.pem',
      '-out',
      'req.pem',
    ]);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      'req.pem',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
      '-out',
      'cert.pem',
    ]);
    return {
      ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function ok(t: Target, cmd: string, stdin?: string): Promise<string> {
  const r = await t.ssh(cmd, stdin === undefined ? {} : { stdin });
  if (r.exitCode !== 0) {
    throw new Error(`pebble setup on the target: ${cmd}\nexit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/**
 * Starts pebble in the target (a transient systemd unit `pebble`), answering on localhost:14000,
 * and makes `domain` resolve to 127.0.0.1 there. Throws when pebble is missing or does not answer.
 */
export async function startPebble(t: Target, domain: string): Promise<Pebble> {
  if (!existsSync(PEBBLE_BIN)) {
    throw new Error(`${PEBBLE_BIN} is missing: run scripts/ci.d/21-docker-target.sh (apt-get install pebble)`);
  }
  copyFileSync(PEBBLE_BIN, join(t.rootfs, 'usr/local/bin/pebble'));
  const { ca, cert, key } = listenerCert();
  const config = {
    pebble: {
      listenAddress: '127.0.0.1:14000',
      managementListenAddress: '127.0.0.1:15000',
      certificate: '/etc/pebble/cert.pem',
      privateKey: '/etc/pebble/key.pem',
      httpPort: 80,
      tlsPort: 443,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  };
  await ok(t, 'mkdir -p /etc/pebble && cat > /etc/pebble/cert.pem', cert);
  await ok(t, 'cat > /etc/pebble/ca.pem', ca);
  await ok(t, 'umask 077 && cat > /etc/pebble/key.pem', key);
  await ok(t, 'cat > /etc/pebble/config.json', JSON.stringify(config, null, 2));
  await ok(t, `grep -q ' ${domain}$' /etc/hosts || echo '127.0.0.1 ${domain}' >> /etc/hosts`);
  await run(t);
  return {
    apiCa: ca,
    issuingRoot: () => ok(t, `curl -sf -k ${PEBBLE_MANAGEMENT}/roots/0`),
    pillarYaml: () =>
      [
        `      ca: ${ACME_DIRECTORY}`,
        '      ca_cert: |',
        ...ca
          .trim()
          .split('\n')
          .map((l) => `        ${l}`),
      ].join('\n'),
    stop: async () => {
      await ok(t, 'systemctl stop pebble.service');
    },
    start: () => run(t),
  };
}

/** Runs pebble as the transient unit `pebble` and waits until its directory answers. */
async function run(t: Target): Promise<void> {
  // no random sleep before validating; no nonces rejected at random (dehydrated would just retry)
  await ok(
    t,
    'systemctl reset-failed pebble.service 2>/dev/null; systemd-run --unit=pebble ' +
      '-E PEBBLE_VA_NOSLEEP=1 -E PEBBLE_WFE_NONCEREJECT=0 /usr/local/bin/pebble -config /etc/pebble/config.json',
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await t.ssh(`curl -sf --cacert /etc/pebble/ca.pem ${ACME_DIRECTORY}`);
    if (r.exitCode === 0 && r.stdout.includes('newAccount')) break;
    if (Date.now() > deadline) {
      const log = await t.ssh('journalctl -u pebble --no-pager -n 30');
      throw new Error(`pebble did not answer on ${ACME_DIRECTORY}:\n${log.stdout}`);
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}
