// docker modules' plan as data: args + facts -> changes; argument parsing; schemas.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { planDown, planUp, projectName, type ComposeFacts } from '../../../modules/docker/compose.js';
import { createArgv, planRunning, type ContainerFacts } from '../../../modules/docker/container.js';
import { desiredSpec, type ImageDefaults, normalizePort } from '../../../modules/docker/container-spec.js';
import { splitCommand } from '../../../engine/shell-words.js';
import { planPresent } from '../../../modules/docker/image.js';
import { modules } from '../../../modules/docker/index.js';
import { planNetworkPresent } from '../../../modules/docker/network.js';
import { planVolumePresent } from '../../../modules/docker/volume.js';

const IMG: ImageDefaults = {
  id: 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  cmd: ['sh'],
  entrypoint: null,
  env: ['PATH=/bin'],
  labels: { 'brine.source-hash': 'x' },
};

/** Facts of a container created exactly as `args` ask, over IMG. */
function factsMatching(args: Parameters<typeof desiredSpec>[0], running = true): ContainerFacts {
  return {
    image: IMG,
    container: { id: 'c1', running, status: running ? 'running' : 'exited', spec: desiredSpec(args, IMG) },
  };
}

describe('container arguments', () => {
  it('splits command lines like a shell', () => {
    expect(splitCommand(`httpd -f -p 80 -h '/my www' "a \\"b\\"" c\\ d`)).toEqual([
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/my www',
      'a "b"',
      'c d',
    ]);
    expect(splitCommand("''")).toEqual(['']);
    expect(() => splitCommand('echo "open')).toThrow(/unterminated/);
  });

  it('normalizes port specs', () => {
    expect(normalizePort(80)).toBe('::80/tcp');
    expect(normalizePort('8080:80')).toBe(':8080:80/tcp');
    expect(normalizePort('127.0.0.1:8080:80/UDP')).toBe('127.0.0.1:8080:80/udp');
    expect(normalizePort('0.0.0.0:8080:80')).toBe(':8080:80/tcp');
    expect(normalizePort('127.0.0.1::80')).toBe('127.0.0.1::80/tcp');
  });

  it('builds the docker create argv from the args', () => {
    expect(
      createArgv({
        name: 'web',
        image: 'img:1',
        command: 'httpd -f',
        environment: [{ A: 1 }, 'B=two=2'],
        ports: ['127.0.0.1:8080:80', '53/udp'],
        volumes: ['/srv:/data:ro'],
        networks: ['front', 'back'],
        restart_policy: 'always',
        labels: { role: 'web' },
        hostname: 'h',
      }),
    ).toEqual([
      'container',
      'create',
      '--name',
      'web',
      '--hostname',
      'h',
      '--env',
      'A=1',
      '--env',
      'B=two=2',
      '--label',
      'role=web',
      '--publish',
      '127.0.0.1:8080:80/tcp',
      '--publish',
      '53/udp',
      '--volume',
      '/srv:/data:ro',
      '--network',
      'front',
      '--restart',
      'always',
      'img:1',
      'httpd',
      '-f',
    ]);
  });
});

describe('docker_container.running plan', () => {
  const args = { name: 'web', image: 'img:1', environment: { A: '1' }, ports: ['8080:80'], restart_policy: 'always' };

  it('creates a missing container, showing what it will be', () => {
    expect(planRunning(args, { image: IMG, container: null })).toEqual([
      {
        op: 'create',
        kind: 'container',
        target: 'web',
        after: { image: 'img:1', ports: [':8080:80/tcp'], restart_policy: 'always', environment: { A: '1' } },
      },
    ]);
  });

  it('plans nothing when the container matches, and a start when it is stopped', () => {
    expect(planRunning(args, factsMatching(args))).toEqual([]);
    expect(planRunning(args, factsMatching(args, false))).toEqual([
      { op: 'update', kind: 'state', target: 'state', before: 'exited', after: 'running' },
    ]);
  });

  it('shows each drifted field with before and after', () => {
    const facts = factsMatching(args);
    const changed = {
      ...args,
      environment: { A: '2', NEW: 'x' },
      ports: ['9090:80'],
      command: ['sleep', '1'],
      restart_policy: 'no',
    };
    expect(planRunning(changed, facts)).toEqual([
      { op: 'update', kind: 'config', target: 'command', before: ['sh'], after: ['sleep', '1'] },
      { op: 'update', kind: 'config', target: 'environment', before: { A: '1' }, after: { A: '2', NEW: 'x' } },
      { op: 'update', kind: 'config', target: 'ports', before: [':8080:80/tcp'], after: [':9090:80/tcp'] },
      { op: 'update', kind: 'config', target: 'restart_policy', before: 'always', after: 'no' },
    ]);
  });

  it('a removed environment variable or label is drift; the image defaults are not', () => {
    const facts = factsMatching({ ...args, labels: { keep: '1', drop: '2' } });
    expect(planRunning({ ...args, labels: { keep: '1' } }, facts)).toEqual([
      { op: 'update', kind: 'config', target: 'labels', before: { drop: '2' }, after: {} },
    ]);
    const noEnv = factsMatching({ ...args, environment: {} });
    expect(planRunning({ ...args, environment: {} }, noEnv)).toEqual([]);
  });

  it('an empty command means the image default; an empty entrypoint clears the image one', () => {
    expect(planRunning({ ...args, command: [] }, factsMatching(args))).toEqual([]);
    const withEp = { ...IMG, entrypoint: ['/init'] };
    expect(desiredSpec({ ...args, entrypoint: '' }, withEp)).toMatchObject({ entrypoint: null, command: null });
    expect(desiredSpec(args, withEp)).toMatchObject({ entrypoint: ['/init'], command: ['sh'] });
  });

  it("accepts Salt's port_bindings for ports", () => {
    expect(
      planRunning(
        { name: 'web', image: 'img:1', port_bindings: ['8080:80'], environment: { A: '1' }, restart_policy: 'always' },
        factsMatching(args),
      ),
    ).toEqual([]);
  });

  it('a new image is drift; a missing image (made later in the run) is drift too', () => {
    const facts = factsMatching(args);
    const newer = {
      ...facts,
      image: {
        ...IMG,
        id: 'sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
        labels: { 'brine.source-hash': 'y' },
      },
    };
    expect(planRunning(args, newer)).toEqual([
      {
        op: 'update',
        kind: 'config',
        target: 'image',
        before: 'sha256:aaaaaaaaaaaa',
        after: 'img:1 (sha256:bbbbbbbbbbbb)',
      },
    ]);
    expect(planRunning(args, { ...facts, image: null })).toEqual([
      { op: 'update', kind: 'config', target: 'image', before: 'sha256:aaaaaaaaaaaa', after: 'img:1' },
    ]);
  });
});

describe('docker_image.present plan', () => {
  const facts = { id: null, label: null, source: 'h1', sourcePath: '/ctx' };
  it('makes a missing image from its source', () => {
    expect(planPresent({ name: 'i:1', build: '/ctx' }, facts)).toEqual([
      { op: 'create', target: 'i:1', after: 'build /ctx' },
    ]);
    expect(planPresent({ name: 'i:1' }, { ...facts, source: null, sourcePath: null })).toEqual([
      { op: 'create', target: 'i:1', after: 'pull' },
    ]);
  });
  it('remakes only with force and a changed source', () => {
    const have = { ...facts, id: 'sha256:0123456789abcdef0123', label: 'h0' };
    expect(planPresent({ name: 'i:1', build: '/ctx' }, have)).toEqual([]);
    expect(planPresent({ name: 'i:1', build: '/ctx', force: true }, have)).toEqual([
      { op: 'update', target: 'i:1', before: 'sha256:0123456789ab', after: 're-build /ctx (source changed)' },
    ]);
    expect(planPresent({ name: 'i:1', build: '/ctx', force: true }, { ...have, label: 'h1' })).toEqual([]);
  });
  it('a missing source is a failure naming it', () => {
    expect(() =>
      planPresent({ name: 'i:1', import: '/x.tar' }, { ...facts, source: null, sourcePath: '/x.tar' }),
    ).toThrow(/import source \/x\.tar does not exist/);
  });
});

describe('docker_network and docker_volume plans', () => {
  it('network: create, then drift per field', () => {
    expect(planNetworkPresent({ name: 'n', subnet: '10.9.0.0/24' }, { exists: false })).toEqual([
      { op: 'create', target: 'n', after: { driver: 'bridge', subnet: '10.9.0.0/24' } },
    ]);
    const have = {
      exists: true,
      driver: 'bridge',
      subnet: '10.9.0.0/24',
      gateway: '10.9.0.1',
      internal: false,
      labels: {},
      containers: [],
    };
    expect(planNetworkPresent({ name: 'n', subnet: '10.9.0.0/24' }, have)).toEqual([]);
    expect(planNetworkPresent({ name: 'n', internal: true }, have)).toEqual([
      { op: 'update', target: 'internal', before: false, after: true },
    ]);
  });
  it('volume: drift is refused without force', () => {
    const have = { exists: true, driver: 'local', options: {}, labels: {} };
    expect(planVolumePresent({ name: 'v' }, have)).toEqual([]);
    expect(() => planVolumePresent({ name: 'v', driver: 'other' }, have)).toThrow(/different driver.*force: true/);
    expect(planVolumePresent({ name: 'v', driver: 'other', force: true }, have)).toEqual([
      { op: 'update', target: 'driver', before: 'local', after: 'other' },
    ]);
  });
});

describe('docker_compose plans', () => {
  const c = (service: string, hash: string, state = 'running', name = `p_${service}_1`) => ({
    id: name,
    name,
    state,
    service,
    hash,
    image: 'sha256:i1',
  });
  const facts: ComposeFacts = {
    project: 'p',
    configError: null,
    services: { web: 'h-web', db: 'h-db', new: 'h-new', stopped: 'h-s' },
    images: { web: 'sha256:i1', db: 'sha256:i1', new: null, stopped: 'sha256:i1' },
    containers: [c('web', 'h-web'), c('db', 'h-old'), c('stopped', 'h-s', 'exited'), c('gone', 'h-g')],
    networks: ['p_default'],
  };
  it('up: names services to create, re-create, start, and orphans to remove', () => {
    expect(planUp({ name: '/srv/p' }, facts)).toEqual([
      { op: 'update', target: 'service db', before: 'config h-old', after: 're-created, config h-db' },
      { op: 'create', target: 'service new' },
      { op: 'update', target: 'service stopped', before: 'exited', after: 'running' },
      { op: 'delete', target: 'orphan p_gone_1', before: 'running' },
    ]);
    expect(planUp({ name: '/srv/p', remove_orphans: false }, facts).map((x) => x.target)).not.toContain(
      'orphan p_gone_1',
    );
  });
  it('up: a service whose image changed under the same name is re-created', () => {
    const f = { ...facts, images: { ...facts.images, web: 'sha256:i2' } };
    expect(planUp({ name: '/srv/p' }, f)[0]).toEqual({
      op: 'update',
      target: 'service web',
      before: 'image sha256:i1',
      after: 're-created, image sha256:i2',
    });
  });
  it('up: an invalid file is a failure with the reason', () => {
    expect(() =>
      planUp({ name: '/srv/p' }, { ...facts, configError: 'services.web.image contains an invalid type' }),
    ).toThrow(/\/srv\/p: compose config is invalid: services\.web/);
  });
  it('down removes every container and network of the project', () => {
    expect(planDown({ name: '/srv/p' }, facts)).toHaveLength(5);
    expect(planDown({ name: '/srv/p' }, { ...facts, containers: [], networks: [] })).toEqual([]);
  });
  it('derives the project name as compose does', () => {
    expect(projectName({ name: '/srv/My.App_1' })).toBe('myapp_1');
    expect(projectName({ name: '/srv/x', project: 'ecs' })).toBe('ecs');
  });
});

describe('docker schemas', () => {
  const ajv = new Ajv({ allErrors: true });
  const validate = (mod: string, fun: string, args: unknown) => ajv.validate(modules[mod]![fun]!.schema, args);
  it('accept good arguments and reject unknown or malformed ones', () => {
    expect(
      validate('docker_container', 'running', {
        name: 'web',
        image: 'i',
        ports: ['127.0.0.1:80:80/tcp', 8080],
        environment: ['A=1'],
      }),
    ).toBe(true);
    expect(validate('docker_container', 'running', { name: 'web', image: 'i', port: ['80'] })).toBe(false);
    expect(validate('docker_container', 'running', { name: 'web', image: 'i', ports: ['eighty'] })).toBe(false);
    expect(validate('docker_container', 'running', { name: 'web', image: 'i', restart_policy: 'sometimes' })).toBe(
      false,
    );
    expect(validate('docker_image', 'present', { name: 'i', build: '/a', import: '/b' })).toBe(false);
    expect(validate('docker_compose', 'up', { name: 'relative/dir' })).toBe(false);
    expect(validate('docker_network', 'present', { name: 'n', subnet: '10.0.0.0/8', gateway: '10.0.0.1' })).toBe(true);
  });
});
