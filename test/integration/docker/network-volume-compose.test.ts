// docker_network, docker_volume and docker_compose against a real dockerd and docker-compose:
// a user network with subnet/gateway (drift re-creates it and re-attaches its containers), a
// volume, and a compose project brought up, changed (only the changed service is re-created)
// and down. Dry runs change nothing; second runs plan nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { modules } from '../../../modules/docker/index.js';
import { checkApply, plan } from '../../support/checkapply.js';
import { busyboxRootfs, ensureDockerd, freePort, httpGet, sh } from './dockerd.js';

const P = 'brine-h7-nvc';
const BASE = `${P}-base:1`;
const NET = `${P}-net`;
const VOL = `${P}-vol`;
const PROJECT = 'brineh7proj';

function composeFile(port: number, workerCmd: string): string {
  return `version: "3"
services:
  web:
    image: ${BASE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["127.0.0.1:${port}:80"]
    stop_grace_period: 1s
  worker:
    image: ${BASE}
    command: ["sleep", "${workerCmd}"]
    stop_grace_period: 1s
`;
}

describe('docker_network, docker_volume, docker_compose on a real dockerd', () => {
  const host = new LocalHost();
  let rootfs: string;
  let dir: string;

  function cleanup() {
    sh(`docker rm -f $(docker ps -aq --filter name=${P} --filter label=com.docker.compose.project=${PROJECT}) 2>/dev/null; docker rm -f $(docker ps -aq --filter label=com.docker.compose.project=${PROJECT}) 2>/dev/null; docker network rm ${NET} ${PROJECT}_default 2>/dev/null; docker volume rm ${VOL} 2>/dev/null; true`);
  }

  beforeAll(async () => {
    await ensureDockerd();
    cleanup();
    rootfs = busyboxRootfs();
    sh(`tar -C ${rootfs} -c . | docker import -c 'CMD ["sh"]' -c 'LABEL brine.test=h7' - ${BASE}`);
    dir = join(mkdtempSync(join(tmpdir(), 'brine-compose-')), PROJECT);
    sh(`mkdir -p ${dir}`);
  });

  afterAll(() => {
    cleanup();
    sh(`docker rmi -f ${BASE} 2>/dev/null; docker image prune -f --filter label=brine.test=h7 >/dev/null; true`);
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('creates a network with subnet and gateway; drift re-creates it and keeps its containers attached; absent removes it', async () => {
    const net = modules.docker_network!;
    const args = { name: NET, subnet: '172.31.250.0/24', gateway: '172.31.250.1' };
    expect(await plan(host, net.present!, args)).toEqual([
      { op: 'create', target: NET, after: { driver: 'bridge', subnet: '172.31.250.0/24', gateway: '172.31.250.1' } },
    ]);
    expect(sh(`docker network ls -q --filter name=^${NET}$`).trim()).toBe('');
    const r = await checkApply(host, net.present!, args);
    expect(r.replanned).toEqual([]);
    expect(sh(`docker network inspect --format '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}' ${NET}`).trim()).toBe('172.31.250.0/24 172.31.250.1');

    // A container on the network, then the subnet changes.
    const c = await checkApply(host, modules.docker_container!.running!, { name: `${P}-c`, image: BASE, command: 'sleep 1000', networks: [NET] });
    expect(c.replanned).toEqual([]);
    const args2 = { name: NET, subnet: '172.31.251.0/24', gateway: '172.31.251.1' };
    const drift = await plan(host, net.present!, args2);
    expect(drift).toEqual([
      { op: 'update', target: 'subnet', before: '172.31.250.0/24', after: '172.31.251.0/24' },
      { op: 'update', target: 'gateway', before: '172.31.250.1', after: '172.31.251.1' },
    ]);
    const r2 = await checkApply(host, net.present!, args2);
    expect(r2.replanned).toEqual([]);
    expect(sh(`docker inspect --format '{{(index .NetworkSettings.Networks "${NET}").IPAddress}}' ${P}-c`).trim()).toMatch(/^172\.31\.251\./);

    sh(`docker rm -f ${P}-c`);
    const gone = await checkApply(host, net.absent!, { name: NET });
    expect(gone.planned).toHaveLength(1);
    expect(gone.replanned).toEqual([]);
    expect(sh(`docker network ls -q --filter name=^${NET}$`).trim()).toBe('');
  });

  it('creates and removes a volume; a different driver without force is an error', async () => {
    const vol = modules.docker_volume!;
    const args = { name: VOL, labels: { purpose: 'test' } };
    expect(await plan(host, vol.present!, args)).toEqual([{ op: 'create', target: VOL, after: { driver: 'local', driver_opts: {}, labels: { purpose: 'test' } } }]);
    const r = await checkApply(host, vol.present!, args);
    expect(r.replanned).toEqual([]);
    expect(sh(`docker volume inspect --format '{{.Labels.purpose}}' ${VOL}`).trim()).toBe('test');
    await expect(plan(host, vol.present!, { name: VOL, labels: { purpose: 'other' } })).rejects.toThrow(/different labels.*force: true/);
    const gone = await checkApply(host, vol.absent!, { name: VOL });
    expect(gone.planned).toEqual([{ op: 'delete', target: VOL, before: { driver: 'local' } }]);
    expect(gone.replanned).toEqual([]);
    expect(sh(`docker volume ls -q --filter name=^${VOL}$`).trim()).toBe('');
  });

  it('compose up creates every service, re-creates only the changed one, and down removes the project', async () => {
    const compose = modules.docker_compose!;
    const port = await freePort();
    writeFileSync(join(dir, 'docker-compose.yml'), composeFile(port, '1000'));
    const args = { name: dir };

    const dry = await plan(host, compose.up!, args);
    expect(dry).toEqual([
      { op: 'create', target: 'service web' },
      { op: 'create', target: 'service worker' },
    ]);
    expect(sh(`docker ps -aq --filter label=com.docker.compose.project=${PROJECT}`).trim()).toBe('');

    const r = await checkApply(host, compose.up!, args);
    expect(r.replanned).toEqual([]);
    // Proof outside brine: the file validates and both services run.
    sh(`cd ${dir} && docker-compose -p ${PROJECT} config -q`);
    expect(sh(`docker ps --filter label=com.docker.compose.project=${PROJECT} --format '{{.Label "com.docker.compose.service"}} {{.State}}' | sort`)).toBe('web running\nworker running\n');
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toBe('hello from busybox\n');
    let webId = sh(`docker ps -q --no-trunc --filter label=com.docker.compose.project=${PROJECT} --filter label=com.docker.compose.service=web`).trim();

    // Change one service: only it would be re-created, and only it is.
    writeFileSync(join(dir, 'docker-compose.yml'), composeFile(port, '2000'));
    const drift = await plan(host, compose.up!, args);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ op: 'update', target: 'service worker' });
    const r2 = await checkApply(host, compose.up!, args);
    expect(r2.replanned).toEqual([]);
    expect(sh(`docker ps -q --no-trunc --filter label=com.docker.compose.project=${PROJECT} --filter label=com.docker.compose.service=web`).trim()).toBe(webId);
    expect(sh(`docker ps --filter label=com.docker.compose.service=worker --filter label=com.docker.compose.project=${PROJECT} --format '{{.Command}}'`)).toMatch(/sleep 2000/);

    // A new image under the same name: compose re-creates both services, and the plan says so.
    sh(`printf 'FROM ${BASE}\\nLABEL rev=2\\n' | docker build -q -t ${BASE} -`);
    const img = await plan(host, compose.up!, args);
    expect(img.map((c) => c.target)).toEqual(['service web', 'service worker']);
    // (docker-compose 1.x folds the image ID into the config hash; the plugin does not, so brine compares both.)
    for (const c of img) expect(c).toMatchObject({ op: 'update', after: expect.stringMatching(/^re-created, /) });
    expect((await checkApply(host, compose.up!, args)).replanned).toEqual([]);

    // A stopped service is started.
    webId = sh(`docker ps -q --no-trunc --filter label=com.docker.compose.project=${PROJECT} --filter label=com.docker.compose.service=web`).trim();
    sh(`docker stop -t 1 ${webId}`);
    expect(await plan(host, compose.up!, args)).toEqual([{ op: 'update', target: 'service web', before: 'exited', after: 'running' }]);
    expect((await checkApply(host, compose.up!, args)).replanned).toEqual([]);

    // An invalid file is a failure naming the project, and changes nothing.
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: [unclosed\n');
    await expect(plan(host, compose.up!, args)).rejects.toThrow(/compose config is invalid/);
    writeFileSync(join(dir, 'docker-compose.yml'), composeFile(port, '2000'));

    const down = await checkApply(host, compose.down!, args);
    expect(down.planned.map((c) => c.target).sort()).toEqual([`container ${PROJECT}_web_1`, `container ${PROJECT}_worker_1`, `network ${PROJECT}_default`]);
    expect(down.replanned).toEqual([]);
    expect(sh(`docker ps -aq --filter label=com.docker.compose.project=${PROJECT}`).trim()).toBe('');

    // A project whose directory is gone: up fails naming it; down still removes what its labels name.
    expect((await checkApply(host, compose.up!, args)).replanned).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
    await expect(plan(host, compose.up!, args)).rejects.toThrow(/project directory .* does not exist/);
    const orphaned = await checkApply(host, compose.down!, args);
    expect(orphaned.planned).toHaveLength(3);
    expect(orphaned.replanned).toEqual([]);
    expect(sh(`docker ps -aq --filter label=com.docker.compose.project=${PROJECT}`).trim()).toBe('');
  });
});
