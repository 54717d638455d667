// The docker module suite, run against a real Engine through a Host: the host's dockerd with the
// local transport (image-container.test.ts, network-volume-compose.test.ts) and a booted target's
// dockerd over SSH (test/integration/docker-target/modules.test.ts). Images come from local files
// on the docker host (import of a busybox rootfs, build from a context, load of a saved archive);
// published ports are fetched from this machine. Every dry run changes nothing and predicts what
// the real run does; every second run plans nothing.
import { expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.js';
import { modules } from '../../../modules/docker/index.js';
import { checkApply, plan, testCtx } from '../../support/checkapply.js';

/** Where the docker host is and how to reach it. */
export interface DockerEnv {
  /** The transport the modules use. */
  host: Host;
  /** Runs a shell command on the docker host; stdout; throws on a non-zero exit. */
  sh(cmd: string): Promise<string>;
  /** A scratch directory on the docker host (exists, empty). */
  tmp: string;
  /** A busybox rootfs directory on the docker host (bin/ with applets, www/index.html = "hello from busybox"). */
  rootfs: string;
  /** Address published ports bind to on the docker host, and the one this machine fetches from. */
  bindAddr: string;
  reachAddr: string;
  /** A TCP port free on the docker host. */
  freePort(): Promise<number>;
}

const image = modules.docker_image!;
const container = modules.docker_container!;

/** GET with retries while the server starts. */
export async function httpGet(url: string, tries = 50): Promise<string> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
      return await r.text();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not answer: ${String(last)}`);
}

export function imageContainerNames(P: string) {
  return { BASE: `${P}-base:1`, WEB: `${P}-web:1`, LOADED: `${P}-loaded:1` };
}

/** Removes what imageContainerSuite made. */
export async function imageContainerCleanup(env: DockerEnv, P: string): Promise<void> {
  const { BASE, WEB, LOADED } = imageContainerNames(P);
  await env.sh(
    `docker rm -f $(docker ps -aq --filter name=${P}) 2>/dev/null; docker rmi ` +
      `-f ${BASE} ${WEB} ${LOADED} 2>/dev/null; true`,
  );
}

/** docker_image (import, build, load, absent) and docker_container (running, stopped, absent). */
export function imageContainerSuite(env: () => DockerEnv, P: string): void {
  const { BASE, WEB, LOADED } = imageContainerNames(P);
  const e = () => env();
  const imageId = async (name: string) => (await e().sh(`docker image inspect --format '{{.Id}}' ${name}`)).trim();
  const containerId = async (name: string) =>
    (await e().sh(`docker container inspect --format '{{.Id}}' ${name} 2>/dev/null || true`)).trim();
  const ctxDir = () => `${e().tmp}/ctx`;
  const writeCtx = async (content: string) => e().host.writeFileAtomic(`${ctxDir()}/index.html`, content);

  it(
    'imports an image from a rootfs directory; dry run changes nothing; re-imports only when forced and the source ' +
      'changed',
    async () => {
      const { host, rootfs, sh } = e();
      await sh(`mkdir -p ${ctxDir()}`);
      await host.writeFileAtomic(
        `${ctxDir()}/Dockerfile`,
        `FROM ${BASE}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n`,
      );
      await writeCtx('version one\n');

      const args = { name: BASE, import: rootfs, changes: ['CMD ["sh"]'], force: true };
      const dry = await plan(host, image.present!, args);
      expect(dry).toEqual([{ op: 'create', target: BASE, after: `import ${rootfs}` }]);
      expect((await sh(`docker images -q ${BASE}`)).trim()).toBe('');

      const r = await checkApply(host, image.present!, args);
      expect(r.planned).toEqual(dry);
      expect(r.replanned).toEqual([]);
      const id1 = await imageId(BASE);
      expect((await sh(`docker image inspect --format '{{json .Config.Cmd}}' ${BASE}`)).trim()).toBe('["sh"]');
      expect(await plan(host, image.present!, args)).toEqual([]);

      await host.writeFileAtomic(`${rootfs}/www/extra.txt`, 'more\n');
      const drift = await plan(host, image.present!, args);
      expect(drift).toHaveLength(1);
      expect(drift[0]).toMatchObject({ op: 'update', target: BASE });
      expect(await imageId(BASE)).toBe(id1);
      // Without force an existing image is kept.
      expect(await plan(host, image.present!, { ...args, force: false })).toEqual([]);
      const r2 = await checkApply(host, image.present!, args);
      expect(r2.replanned).toEqual([]);
      expect(await imageId(BASE)).not.toBe(id1);
    },
  );

  it('builds an image from a context directory and rebuilds when the context changed', async () => {
    const { host, sh } = e();
    const args = { name: WEB, build: ctxDir(), force: true };
    expect(await plan(host, image.present!, args)).toEqual([{ op: 'create', target: WEB, after: `build ${ctxDir()}` }]);
    const r = await checkApply(host, image.present!, args);
    expect(r.replanned).toEqual([]);
    expect(await sh(`docker run --rm ${WEB} cat /www/index.html`)).toBe('version one\n');
    const id1 = await imageId(WEB);
    await writeCtx('version two\n');
    expect((await plan(host, image.present!, args))[0]).toMatchObject({ op: 'update', target: WEB });
    expect(await imageId(WEB)).toBe(id1);
    await writeCtx('version one\n');
    expect(await plan(host, image.present!, args)).toEqual([]);
  });

  it('loads an image from a docker save archive, and removes images', async () => {
    const { host, sh, tmp } = e();
    const archive = `${tmp}/web.tar`;
    await sh(`docker save -o ${archive} ${WEB}`);
    const args = { name: LOADED, load: archive, force: true };
    expect(await plan(host, image.present!, args)).toEqual([
      { op: 'create', target: LOADED, after: `load ${archive}` },
    ]);
    const r = await checkApply(host, image.present!, args);
    expect(r.replanned).toEqual([]);
    expect(await imageId(LOADED)).toBe(await imageId(WEB));

    const gone = await checkApply(host, image.absent!, { name: LOADED });
    expect(gone.planned).toEqual([{ op: 'delete', target: LOADED, before: (await imageId(WEB)).slice(0, 19) }]);
    expect(gone.replanned).toEqual([]);
    expect((await sh(`docker images -q ${LOADED}`)).trim()).toBe('');
    expect(await imageId(WEB)).toMatch(/^sha256:/);
  });

  it('an image with no source that does not exist fails the plan with the path', async () => {
    await expect(
      plan(e().host, image.present!, { name: `${P}-none:1`, import: `${e().tmp}/missing.tar` }),
    ).rejects.toThrow(/missing\.tar does not exist/);
  });

  it('runs a container publishing a port that answers; re-creates it on drift; restarts a stopped one', async () => {
    const { host, sh, tmp, bindAddr, reachAddr } = e();
    const port = await e().freePort();
    const name = `${P}-web`;
    const url = `http://${reachAddr}:${port}/`;
    const args = {
      name,
      image: WEB,
      ports: [`${bindAddr}:${port}:80`],
      environment: { GREETING: 'hello', MODE: 'one' },
      labels: { 'org.example.role': 'web' },
      restart_policy: 'unless-stopped',
      hostname: 'webhost',
    };
    const dry = await plan(host, container.running!, args);
    expect(dry).toHaveLength(1);
    expect(dry[0]).toMatchObject({ op: 'create', target: name });
    expect(await containerId(name)).toBe('');

    const r = await checkApply(host, container.running!, args);
    expect(r.replanned).toEqual([]);
    expect(await httpGet(url)).toBe('version one\n');
    expect(await sh(`docker exec ${name} sh -c 'echo $GREETING-$MODE-$(cat /proc/sys/kernel/hostname)'`)).toBe(
      'hello-one-webhost\n',
    );
    const id1 = await containerId(name);

    // Drift: a changed env var, a new volume and a new restart policy are each one change.
    const vol = `${tmp}/data`;
    await sh(`mkdir -p ${vol} && echo bound > ${vol}/f`);
    const args2 = {
      ...args,
      environment: { GREETING: 'hello', MODE: 'two' },
      volumes: [`${vol}:/data:ro`],
      restart_policy: 'always',
    };
    const drift = await plan(host, container.running!, args2);
    expect(drift).toEqual([
      { op: 'update', kind: 'config', target: 'environment', before: { MODE: 'one' }, after: { MODE: 'two' } },
      { op: 'update', kind: 'config', target: 'volumes', before: [], after: [`${vol}:/data:ro`] },
      { op: 'update', kind: 'config', target: 'restart_policy', before: 'unless-stopped', after: 'always' },
    ]);
    expect(await containerId(name)).toBe(id1);
    const r2 = await checkApply(host, container.running!, args2);
    expect(r2.planned).toEqual(drift);
    expect(r2.replanned).toEqual([]);
    expect(await containerId(name)).not.toBe(id1);
    expect(await sh(`docker exec ${name} cat /data/f`)).toBe('bound\n');
    expect(await httpGet(url)).toBe('version one\n');

    // A rebuilt image is drift too.
    await writeCtx('version three\n');
    await checkApply(host, image.present!, { name: WEB, build: ctxDir(), force: true });
    const imgDrift = await plan(host, container.running!, args2);
    expect(imgDrift.map((c) => c.target)).toEqual(['image']);
    expect((await checkApply(host, container.running!, args2)).replanned).toEqual([]);
    expect(await httpGet(url)).toBe('version three\n');

    // Stopped outside brine: only a start is planned, and the container keeps its ID.
    const id2 = await containerId(name);
    await sh(`docker stop -t 1 ${name}`);
    const start = await plan(host, container.running!, args2);
    expect(start).toEqual([{ op: 'update', kind: 'state', target: 'state', before: 'exited', after: 'running' }]);
    expect((await checkApply(host, container.running!, args2)).replanned).toEqual([]);
    expect(await containerId(name)).toBe(id2);

    // The batched read sees exactly what the single reads see.
    const items = [
      args2,
      { name: `${P}-none`, image: await imageId(WEB) },
      { name: `${P}-other`, image: `${P}-missing:1` },
    ];
    const many = await container.running!.gatherMany!(
      host,
      items.map((a) => ({ args: a, ctx: testCtx(a) })),
    );
    for (const [i, a] of items.entries()) expect(many[i]).toEqual(await container.running!.gather(host, a, testCtx(a)));
    expect(many[0].container.running).toBe(true);
    expect(many[1].image.id).toBe(await imageId(WEB));
    expect(many[2].image).toBeNull();
  });

  it('stopped stops a running container; absent removes it; both are no-ops afterwards', async () => {
    const { host, sh } = e();
    const name = `${P}-web`;
    // As Salt: a running container is removed only with force: True; the dry run fails the same way.
    const id = await containerId(name);
    const refusal = /container .*-web is running; set force: True to remove it/;
    await expect(plan(host, container.absent!, { name })).rejects.toThrow(refusal);
    await expect(checkApply(host, container.absent!, { name, force: false })).rejects.toThrow(refusal);
    expect(await containerId(name)).toBe(id);
    expect((await sh(`docker inspect --format '{{.State.Running}}' ${name}`)).trim()).toBe('true');
    const s = await checkApply(host, container.stopped!, { name, timeout: 1 });
    expect(s.planned).toEqual([{ op: 'update', kind: 'state', target: 'state', before: 'running', after: 'exited' }]);
    expect(s.replanned).toEqual([]);
    expect((await sh(`docker inspect --format '{{.State.Running}}' ${name}`)).trim()).toBe('false');
    const a = await checkApply(host, container.absent!, { name });
    expect(a.planned).toEqual([{ op: 'delete', kind: 'container', target: name, before: 'exited' }]);
    expect(a.replanned).toEqual([]);
    expect(await containerId(name)).toBe('');
    await expect(plan(host, container.stopped!, { name })).rejects.toThrow(/does not exist/);

    // force: True removes a running one.
    await sh(`docker run -d --name ${name} ${WEB}`);
    const forced = await checkApply(host, container.absent!, { name, force: true });
    expect(forced.planned).toEqual([{ op: 'delete', kind: 'container', target: name, before: 'running' }]);
    expect(forced.replanned).toEqual([]);
    expect(await containerId(name)).toBe('');
  });
}

function composeFile(base: string, bind: string, port: number, workerCmd: string): string {
  return `version: "3"
services:
  web:
    image: ${base}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["${bind}:${port}:80"]
    stop_grace_period: 1s
  worker:
    image: ${base}
    command: ["sleep", "${workerCmd}"]
    stop_grace_period: 1s
`;
}

export function nvcNames(P: string, project: string) {
  return { BASE: `${P}-base:1`, NET: `${P}-net`, VOL: `${P}-vol`, PROJECT: project };
}

/** Removes what networkVolumeComposeSuite made (keeps the base image unless `all`). */
export async function nvcCleanup(env: DockerEnv, P: string, project: string, all = false): Promise<void> {
  const { BASE, NET, VOL, PROJECT } = nvcNames(P, project);
  await env.sh(
    `docker rm -f $(docker ps -aq --filter name=${P}) 2>/dev/null; docker rm -f $(docker ps -aq --filter ` +
      `label=com.docker.compose.project=${PROJECT}) 2>/dev/null; ` +
      `docker network rm ${NET} ${PROJECT}_default 2>/dev/null; docker volume rm ${VOL} 2>/dev/null; true`,
  );
  if (all)
    await env.sh(
      `docker rmi -f ${BASE} 2>/dev/null; docker image prune -f --filter label=brine.test=${P} >/dev/null; true`,
    );
}

/** docker_network, docker_volume and docker_compose (docker-compose 1.29 or the plugin). */
export function networkVolumeComposeSuite(env: () => DockerEnv, P: string, project: string): void {
  const { BASE, NET, VOL, PROJECT } = nvcNames(P, project);
  const e = () => env();
  const dir = () => `${e().tmp}/${PROJECT}`;

  it(
    'creates a network with subnet and gateway; drift re-creates it and keeps its containers attached; absent ' +
      'removes it',
    async () => {
      const { host, sh, rootfs } = e();
      await sh(`tar -C ${rootfs} -c . | docker import -c 'CMD ["sh"]' -c 'LABEL brine.test=${P}' - ${BASE} >/dev/null`);
      const net = modules.docker_network!;
      const args = { name: NET, subnet: '172.31.250.0/24', gateway: '172.31.250.1' };
      expect(await plan(host, net.present!, args)).toEqual([
        { op: 'create', target: NET, after: { driver: 'bridge', subnet: '172.31.250.0/24', gateway: '172.31.250.1' } },
      ]);
      expect((await sh(`docker network ls -q --filter name=^${NET}$`)).trim()).toBe('');
      const r = await checkApply(host, net.present!, args);
      expect(r.replanned).toEqual([]);
      expect(
        (
          await sh(
            `docker network inspect --format '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config ` +
              `0).Gateway}}' ${NET}`,
          )
        ).trim(),
      ).toBe('172.31.250.0/24 172.31.250.1');

      // A container on the network, then the subnet changes.
      const c = await checkApply(host, modules.docker_container!.running!, {
        name: `${P}-c`,
        image: BASE,
        command: 'sleep 1000',
        networks: [NET],
      });
      expect(c.replanned).toEqual([]);
      const args2 = { name: NET, subnet: '172.31.251.0/24', gateway: '172.31.251.1' };
      const drift = await plan(host, net.present!, args2);
      expect(drift).toEqual([
        { op: 'update', target: 'subnet', before: '172.31.250.0/24', after: '172.31.251.0/24' },
        { op: 'update', target: 'gateway', before: '172.31.250.1', after: '172.31.251.1' },
      ]);
      const r2 = await checkApply(host, net.present!, args2);
      expect(r2.replanned).toEqual([]);
      expect(
        (await sh(`docker inspect --format '{{(index .NetworkSettings.Networks "${NET}").IPAddress}}' ${P}-c`)).trim(),
      ).toMatch(/^172\.31\.251\./);

      await sh(`docker rm -f ${P}-c`);
      const gone = await checkApply(host, net.absent!, { name: NET });
      expect(gone.planned).toHaveLength(1);
      expect(gone.replanned).toEqual([]);
      expect((await sh(`docker network ls -q --filter name=^${NET}$`)).trim()).toBe('');
    },
  );

  it('creates and removes a volume; a different driver without force is an error', async () => {
    const { host, sh } = e();
    const vol = modules.docker_volume!;
    const args = { name: VOL, labels: { purpose: 'test' } };
    expect(await plan(host, vol.present!, args)).toEqual([
      { op: 'create', target: VOL, after: { driver: 'local', driver_opts: {}, labels: { purpose: 'test' } } },
    ]);
    const r = await checkApply(host, vol.present!, args);
    expect(r.replanned).toEqual([]);
    expect((await sh(`docker volume inspect --format '{{.Labels.purpose}}' ${VOL}`)).trim()).toBe('test');
    await expect(plan(host, vol.present!, { name: VOL, labels: { purpose: 'other' } })).rejects.toThrow(
      /different labels.*force: true/,
    );
    const gone = await checkApply(host, vol.absent!, { name: VOL });
    expect(gone.planned).toEqual([{ op: 'delete', target: VOL, before: { driver: 'local' } }]);
    expect(gone.replanned).toEqual([]);
    expect((await sh(`docker volume ls -q --filter name=^${VOL}$`)).trim()).toBe('');
  });

  it('compose up creates every service, re-creates only the changed one, and down removes the project', async () => {
    const { host, sh, bindAddr, reachAddr } = e();
    const compose = modules.docker_compose!;
    const port = await e().freePort();
    const file = `${dir()}/docker-compose.yml`;
    await sh(`mkdir -p ${dir()}`);
    await host.writeFileAtomic(file, composeFile(BASE, bindAddr, port, '1000'));
    const args = { name: dir() };
    const ps = (filter: string, format: string) =>
      sh(`docker ps ${filter} --filter label=com.docker.compose.project=${PROJECT} --format '${format}'`);
    const serviceId = async (svc: string) =>
      (await ps(`-q --no-trunc --filter label=com.docker.compose.service=${svc}`, '{{.ID}}')).trim();

    const dry = await plan(host, compose.up!, args);
    expect(dry).toEqual([
      { op: 'create', target: 'service web' },
      { op: 'create', target: 'service worker' },
    ]);
    expect((await sh(`docker ps -aq --filter label=com.docker.compose.project=${PROJECT}`)).trim()).toBe('');

    const r = await checkApply(host, compose.up!, args);
    expect(r.replanned).toEqual([]);
    // Proof outside brine: the file validates and both services run.
    await sh(`cd ${dir()} && docker-compose -p ${PROJECT} config -q`);
    expect(
      await sh(
        `docker ps --filter label=com.docker.compose.project=${PROJECT} --format '{{.Label ` +
          `"com.docker.compose.service"}} {{.State}}' | sort`,
      ),
    ).toBe('web running\nworker running\n');
    expect(await httpGet(`http://${reachAddr}:${port}/`)).toBe('hello from busybox\n');
    let webId = await serviceId('web');

    // Change one service: only it would be re-created, and only it is.
    await host.writeFileAtomic(file, composeFile(BASE, bindAddr, port, '2000'));
    const drift = await plan(host, compose.up!, args);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ op: 'update', target: 'service worker' });
    const r2 = await checkApply(host, compose.up!, args);
    expect(r2.replanned).toEqual([]);
    expect(await serviceId('web')).toBe(webId);
    expect(await ps('--filter label=com.docker.compose.service=worker', '{{.Command}}')).toMatch(/sleep 2000/);

    // A new image under the same name: compose re-creates both services, and the plan says so.
    await sh(`printf 'FROM ${BASE}\\nLABEL rev=2\\n' | docker build -q -t ${BASE} - >/dev/null`);
    const img = await plan(host, compose.up!, args);
    expect(img.map((c) => c.target)).toEqual(['service web', 'service worker']);
    // (docker-compose 1.x folds the image ID into the config hash; the plugin does not, so brine compares both.)
    for (const c of img) expect(c).toMatchObject({ op: 'update', after: expect.stringMatching(/^re-created, /) });
    expect((await checkApply(host, compose.up!, args)).replanned).toEqual([]);

    // A stopped service is started.
    webId = await serviceId('web');
    await sh(`docker stop -t 1 ${webId}`);
    expect(await plan(host, compose.up!, args)).toEqual([
      { op: 'update', target: 'service web', before: 'exited', after: 'running' },
    ]);
    expect((await checkApply(host, compose.up!, args)).replanned).toEqual([]);

    // An invalid file is a failure naming the project, and changes nothing.
    await host.writeFileAtomic(file, 'services:\n  web:\n    image: [unclosed\n');
    await expect(plan(host, compose.up!, args)).rejects.toThrow(/compose config is invalid/);
    await host.writeFileAtomic(file, composeFile(BASE, bindAddr, port, '2000'));

    const down = await checkApply(host, compose.down!, args);
    expect(down.planned.map((c) => c.target).sort()).toEqual([
      `container ${PROJECT}_web_1`,
      `container ${PROJECT}_worker_1`,
      `network ${PROJECT}_default`,
    ]);
    expect(down.replanned).toEqual([]);
    expect((await sh(`docker ps -aq --filter label=com.docker.compose.project=${PROJECT}`)).trim()).toBe('');

    // A project whose directory is gone: up fails naming it; down still removes what its labels name.
    expect((await checkApply(host, compose.up!, args)).replanned).toEqual([]);
    await sh(`rm -rf ${dir()}`);
    await expect(plan(host, compose.up!, args)).rejects.toThrow(/project directory .* does not exist/);
    const orphaned = await checkApply(host, compose.down!, args);
    expect(orphaned.planned).toHaveLength(3);
    expect(orphaned.replanned).toEqual([]);
    expect((await sh(`docker ps -aq --filter label=com.docker.compose.project=${PROJECT}`)).trim()).toBe('');
  });
}
