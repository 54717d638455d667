// docker_image and docker_container against a real dockerd: images made from local files (import
// of a busybox rootfs, build from a context, load of a saved archive), a container that publishes
// a port and answers, drift that re-creates it, stopped and absent. Every dry run changes nothing
// and predicts what the real run does; every second run plans nothing.
import { rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { modules } from '../../../modules/docker/index.js';
import { checkApply, plan, testCtx } from '../../support/checkapply.js';
import { busyboxRootfs, ensureDockerd, freePort, httpGet, sh } from './dockerd.js';

const image = modules.docker_image!;
const container = modules.docker_container!;
const P = 'brine-h7-ic';
const BASE = `${P}-base:1`;
const WEB = `${P}-web:1`;

function imageId(name: string): string {
  return sh(`docker image inspect --format '{{.Id}}' ${name}`).trim();
}
function containerId(name: string): string {
  return sh(`docker container inspect --format '{{.Id}}' ${name} 2>/dev/null || true`).trim();
}

describe('docker_image and docker_container on a real dockerd', () => {
  const host = new LocalHost();
  let rootfs: string;
  let ctxDir: string;
  let tmp: string;

  function cleanup() {
    sh(`docker rm -f $(docker ps -aq --filter name=${P}) 2>/dev/null; docker rmi -f ${BASE} ${WEB} ${P}-loaded:1 2>/dev/null; true`);
  }

  beforeAll(async () => {
    await ensureDockerd();
    cleanup();
    rootfs = busyboxRootfs();
    tmp = mkdtempSync(join(tmpdir(), 'brine-docker-'));
    ctxDir = join(tmp, 'ctx');
    sh(`mkdir -p ${ctxDir}`);
    writeFileSync(join(ctxDir, 'Dockerfile'), `FROM ${BASE}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n`);
    writeFileSync(join(ctxDir, 'index.html'), 'version one\n');
  });

  afterAll(() => {
    cleanup();
    // the earlier versions of rebuilt images are left untagged
    sh('docker image prune -f --filter label=brine.source-hash >/dev/null');
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('imports an image from a rootfs directory; dry run changes nothing; re-imports only when forced and the source changed', async () => {
    const args = { name: BASE, import: rootfs, changes: ['CMD ["sh"]'], force: true };
    const dry = await plan(host, image.present!, args);
    expect(dry).toEqual([{ op: 'create', target: BASE, after: `import ${rootfs}` }]);
    expect(sh(`docker images -q ${BASE}`).trim()).toBe('');

    const r = await checkApply(host, image.present!, args);
    expect(r.planned).toEqual(dry);
    expect(r.replanned).toEqual([]);
    const id1 = imageId(BASE);
    expect(sh(`docker image inspect --format '{{json .Config.Cmd}}' ${BASE}`).trim()).toBe('["sh"]');
    expect(await plan(host, image.present!, args)).toEqual([]);

    writeFileSync(join(rootfs, 'www/extra.txt'), 'more\n');
    const drift = await plan(host, image.present!, args);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ op: 'update', target: BASE });
    expect(imageId(BASE)).toBe(id1);
    // Without force an existing image is kept.
    expect(await plan(host, image.present!, { ...args, force: false })).toEqual([]);
    const r2 = await checkApply(host, image.present!, args);
    expect(r2.replanned).toEqual([]);
    expect(imageId(BASE)).not.toBe(id1);
  });

  it('builds an image from a context directory and rebuilds when the context changed', async () => {
    const args = { name: WEB, build: ctxDir, force: true };
    expect(await plan(host, image.present!, args)).toEqual([{ op: 'create', target: WEB, after: `build ${ctxDir}` }]);
    const r = await checkApply(host, image.present!, args);
    expect(r.replanned).toEqual([]);
    expect(sh(`docker run --rm ${WEB} cat /www/index.html`)).toBe('version one\n');
    const id1 = imageId(WEB);
    writeFileSync(join(ctxDir, 'index.html'), 'version two\n');
    expect((await plan(host, image.present!, args))[0]).toMatchObject({ op: 'update', target: WEB });
    expect(imageId(WEB)).toBe(id1);
    writeFileSync(join(ctxDir, 'index.html'), 'version one\n');
    expect(await plan(host, image.present!, args)).toEqual([]);
  });

  it('loads an image from a docker save archive, and removes images', async () => {
    const archive = join(tmp, 'web.tar');
    sh(`docker save -o ${archive} ${WEB}`);
    const loaded = `${P}-loaded:1`;
    const args = { name: loaded, load: archive, force: true };
    expect(await plan(host, image.present!, args)).toEqual([{ op: 'create', target: loaded, after: `load ${archive}` }]);
    const r = await checkApply(host, image.present!, args);
    expect(r.replanned).toEqual([]);
    expect(imageId(loaded)).toBe(imageId(WEB));

    const gone = await checkApply(host, image.absent!, { name: loaded });
    expect(gone.planned).toEqual([{ op: 'delete', target: loaded, before: imageId(WEB).slice(0, 19) }]);
    expect(gone.replanned).toEqual([]);
    expect(sh(`docker images -q ${loaded}`).trim()).toBe('');
    expect(imageId(WEB)).toMatch(/^sha256:/);
  });

  it('an image with no source that does not exist fails the plan with the path', async () => {
    await expect(plan(host, image.present!, { name: `${P}-none:1`, import: join(tmp, 'missing.tar') })).rejects.toThrow(/missing\.tar does not exist/);
  });

  it('runs a container publishing a port that answers; re-creates it on drift; restarts a stopped one', async () => {
    const port = await freePort();
    const name = `${P}-web`;
    const args = {
      name,
      image: WEB,
      ports: [`127.0.0.1:${port}:80`],
      environment: { GREETING: 'hello', MODE: 'one' },
      labels: { 'org.example.role': 'web' },
      restart_policy: 'unless-stopped',
      hostname: 'webhost',
    };
    const dry = await plan(host, container.running!, args);
    expect(dry).toHaveLength(1);
    expect(dry[0]).toMatchObject({ op: 'create', target: name });
    expect(containerId(name)).toBe('');

    const r = await checkApply(host, container.running!, args);
    expect(r.replanned).toEqual([]);
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toBe('version one\n');
    expect(sh(`docker exec ${name} sh -c 'echo $GREETING-$MODE-$(cat /proc/sys/kernel/hostname)'`)).toBe('hello-one-webhost\n');
    const id1 = containerId(name);

    // Drift: a changed env var, a new volume and a new restart policy are each one change.
    const vol = join(tmp, 'data');
    sh(`mkdir -p ${vol} && echo bound > ${vol}/f`);
    const args2 = { ...args, environment: { GREETING: 'hello', MODE: 'two' }, volumes: [`${vol}:/data:ro`], restart_policy: 'always' };
    const drift = await plan(host, container.running!, args2);
    expect(drift).toEqual([
      { op: 'update', target: 'environment', before: { MODE: 'one' }, after: { MODE: 'two' } },
      { op: 'update', target: 'volumes', before: [], after: [`${vol}:/data:ro`] },
      { op: 'update', target: 'restart_policy', before: 'unless-stopped', after: 'always' },
    ]);
    expect(containerId(name)).toBe(id1);
    const r2 = await checkApply(host, container.running!, args2);
    expect(r2.planned).toEqual(drift);
    expect(r2.replanned).toEqual([]);
    expect(containerId(name)).not.toBe(id1);
    expect(sh(`docker exec ${name} cat /data/f`)).toBe('bound\n');
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toBe('version one\n');

    // A rebuilt image is drift too.
    writeFileSync(join(ctxDir, 'index.html'), 'version three\n');
    await checkApply(host, image.present!, { name: WEB, build: ctxDir, force: true });
    const imgDrift = await plan(host, container.running!, args2);
    expect(imgDrift.map((c) => c.target)).toEqual(['image']);
    expect((await checkApply(host, container.running!, args2)).replanned).toEqual([]);
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toBe('version three\n');

    // Stopped outside brine: only a start is planned, and the container keeps its ID.
    const id2 = containerId(name);
    sh(`docker stop -t 1 ${name}`);
    const start = await plan(host, container.running!, args2);
    expect(start).toEqual([{ op: 'update', target: 'state', before: 'exited', after: 'running' }]);
    expect((await checkApply(host, container.running!, args2)).replanned).toEqual([]);
    expect(containerId(name)).toBe(id2);

    // The batched read sees exactly what the single reads see.
    const items = [args2, { name: `${P}-none`, image: imageId(WEB) }, { name: `${P}-other`, image: `${P}-missing:1` }];
    const many = await container.running!.gatherMany!(host, items.map((a) => ({ args: a, ctx: testCtx(a) })));
    for (const [i, a] of items.entries()) expect(many[i]).toEqual(await container.running!.gather(host, a, testCtx(a)));
    expect(many[0].container.running).toBe(true);
    expect(many[1].image.id).toBe(imageId(WEB));
    expect(many[2].image).toBeNull();
  });

  it('stopped stops a running container; absent removes it; both are no-ops afterwards', async () => {
    const name = `${P}-web`;
    const s = await checkApply(host, container.stopped!, { name, timeout: 1 });
    expect(s.planned).toEqual([{ op: 'update', target: 'state', before: 'running', after: 'exited' }]);
    expect(s.replanned).toEqual([]);
    expect(sh(`docker inspect --format '{{.State.Running}}' ${name}`).trim()).toBe('false');
    const a = await checkApply(host, container.absent!, { name });
    expect(a.planned).toEqual([{ op: 'delete', target: name, before: 'exited' }]);
    expect(a.replanned).toEqual([]);
    expect(containerId(name)).toBe('');
    await expect(plan(host, container.stopped!, { name })).rejects.toThrow(/does not exist/);
  });
});
