// The appliance's host certificate (states/ssl, states/nginx) on a booted Debian target with its own
// network: with Let's Encrypt enabled, `brine push --sls nginx` gets the first certificate from a
// real ACME server (pebble in the target, HTTP-01 validated against the target's nginx) in the same
// run and nginx serves it when the run ends (while the server is unreachable, the self-signed one
// stays and the run does not fail); a second run changes nothing; a renewal reloads nginx
// (same process) onto the new certificate; appliance:ssl:key/cert from the env win over all.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { type DockerTarget, startDockerTarget } from '../../harness/docker-target.js';
import { type Pebble, startPebble } from './pebble.js';
import { changed, failures, onTarget, pushSls, results } from './sls-push.js';
import { makeTestTree, type TestTree } from './tree.js';

const DOMAIN = 'ecs.pebble.test';
const LIVE = `/app/etc/dehydrated/certs/${DOMAIN}`;

let tree: TestTree;
let target: DockerTarget;
let pebble: Pebble;
let envLe: string;
let envOwn: string;
let own: { key: string; cert: string };

/** The env with the test domain, Let's Encrypt on, and (given) the env's own key and certificate. */
function envWith(base: string, file: string, ownCert?: { key: string; cert: string }): string {
  const doc = parseDocument(base);
  doc.setIn(['appliance', 'domain'], DOMAIN);
  doc.setIn(['appliance', 'ssl', 'letsencrypt', 'enabled'], true);
  if (ownCert) {
    doc.setIn(['appliance', 'ssl', 'key'], ownCert.key);
    doc.setIn(['appliance', 'ssl', 'cert'], ownCert.cert);
  }
  writeFileSync(file, doc.toString());
  return file;
}

/** A key and a self-made certificate for the domain, as an operator would put into the env. */
function ownCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'brine-owncert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '30',
        '-subj',
        `/O=brine env certificate test/CN=${DOMAIN}`,
        '-addext',
        `subjectAltName=DNS:${DOMAIN}`,
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SHA-256 fingerprint of the certificate nginx serves for the domain (saved to /tmp/served.pem). */
async function servedFingerprint(): Promise<string> {
  await onTarget(
    target,
    `openssl s_client -connect 127.0.0.1:443 -servername ${DOMAIN} -showcerts ` +
      '</dev/null 2>/dev/null ' +
      `| awk '/BEGIN CERTIFICATE/,/END CERTIFICATE/' > /tmp/served.pem && test -s /tmp/served.pem`,
  );
  return fingerprintOn('/tmp/served.pem');
}

async function fingerprintOn(file: string): Promise<string> {
  return (await onTarget(target, `openssl x509 -noout -fingerprint -sha256 -in ${file}`)).trim();
}

const nginxPid = async () => (await onTarget(target, 'systemctl show -p MainPID --value nginx')).trim();

beforeAll(async () => {
  tree = makeTestTree();
  target = await startDockerTarget();
  pebble = await startPebble(target, DOMAIN);
  // TEST ONLY: dehydrated asks pebble and trusts its API's CA (pillar tree, not the env)
  const testPillar = join(tree.pillar, 'appliance-test.sls');
  const acme = `appliance:\n  ssl:\n    letsencrypt:\n${pebble.pillarYaml()}\n`;
  writeFileSync(testPillar, `${readFileSync(testPillar, 'utf8')}${acme}`);
  const base = readFileSync(tree.env, 'utf8');
  envLe = envWith(base, join(tree.dir, 'env-letsencrypt.yml'));
  own = ownCertificate();
  envOwn = envWith(base, join(tree.dir, 'env-own-cert.yml'), own);
});

afterAll(async () => {
  await target?.stop();
  tree?.cleanup();
});

describe('the host certificate', () => {
  it('keeps the self-signed certificate, without failing the run, while the ACME server is unreachable', async () => {
    await pebble.stop();
    const run = await pushSls(target, tree, envLe, ['nginx'], 1_100_000);
    const rs = results(run);
    expect(failures(rs)).toEqual([]);
    expect(run.code).toBe(0);
    expect(JSON.stringify(rs.find((r) => r.id === 'letsencrypt_certificate'))).toContain('no certificate for');
    expect(await servedFingerprint()).toBe(await fingerprintOn('/app/etc/selfsigned/server.cert.pem'));
    await pebble.start();
  }, 1_200_000);

  it("gets the first Let's Encrypt certificate in the same run, and nginx serves it when the run ends", async () => {
    const run = await pushSls(target, tree, envLe, ['nginx']);
    const rs = results(run);
    expect(failures(rs)).toEqual([]);
    expect(run.code).toBe(0);
    expect(changed(rs)).toContain('cmd.run letsencrypt_certificate');

    const served = await servedFingerprint();
    expect(served).toBe(await fingerprintOn(`${LIVE}/cert.pem`));
    // issued by pebble: the served chain verifies against the root this pebble made
    await onTarget(target, 'curl -sfk https://127.0.0.1:15000/roots/0 > /tmp/pebble-root.pem');
    await onTarget(target, 'openssl verify -CAfile /tmp/pebble-root.pem -untrusted /tmp/served.pem /tmp/served.pem');
    expect(
      (await onTarget(target, 'readlink /app/etc/server.cert.pem /app/etc/server.key.pem')).trim().split('\n'),
    ).toEqual([`${LIVE}/fullchain.pem`, `${LIVE}/privkey.pem`]);
    // the HTTP-01 challenge was validated for real (pebble's VA fetched it from nginx)
    expect(await onTarget(target, 'journalctl -u pebble --no-pager')).toMatch(/validat/i);
    expect((await onTarget(target, 'systemctl is-enabled letsencrypt-renew.timer')).trim()).toBe('enabled');
  });

  it('changes nothing on a second run', async () => {
    const run = await pushSls(target, tree, envLe, ['nginx']);
    const rs = results(run);
    expect(failures(rs)).toEqual([]);
    expect(changed(rs)).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('a renewal reloads nginx (same process) onto the new certificate', async () => {
    // the timer's unit runs against pebble (nothing to renew yet: the hook reports unchanged)
    await onTarget(target, 'systemctl start letsencrypt-renew.service');
    const before = await fingerprintOn(`${LIVE}/cert.pem`);
    const pid = await nginxPid();
    await onTarget(target, 'dehydrated --config /app/etc/dehydrated/config --cron --force --accept-terms');
    const renewed = await fingerprintOn(`${LIVE}/cert.pem`);
    expect(renewed).not.toBe(before);
    expect(await servedFingerprint()).toBe(renewed);
    expect(await nginxPid()).toBe(pid);
  });

  it('uses appliance:ssl:key and appliance:ssl:cert from the env when given', async () => {
    const run = await pushSls(target, tree, envOwn, ['nginx']);
    const rs = results(run);
    expect(failures(rs)).toEqual([]);
    expect(run.code).toBe(0);
    const keyLines = own.key.split('\n').filter((l) => l.length > 40);
    for (const l of keyLines) expect(run.stdout + run.stderr).not.toContain(l);

    await onTarget(target, 'cat > /tmp/own.pem', own.cert);
    expect(await servedFingerprint()).toBe(await fingerprintOn('/tmp/own.pem'));
    expect((await onTarget(target, 'stat -c %a /app/etc/env-cert/server.key.pem')).trim()).toBe('600');
    const timer = await target.ssh('systemctl is-enabled letsencrypt-renew.timer');
    expect(timer.stdout.trim()).toBe('disabled');
  });
});
