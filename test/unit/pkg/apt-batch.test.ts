// One apt simulation for many requests, split back per request with apt's AutoInstall account.
import { describe, expect, it } from 'vitest';
import { parseWhy, specName, splitInstallArgv, splitSimulation } from '../../../modules/pkg/apt-batch.js';
import { parseSimulation } from '../../../modules/pkg/uptodate.js';

const SIM = `Reading package lists...
  Installing nginx-common:amd64 as Depends of nginx:amd64
    Installing libnginx-mod-x:amd64 as Depends of nginx-common:amd64
  Installing cpio:amd64 as Depends of postfix:amd64
Inst bridge-utils (1.7.1-1 Debian:12.15/oldstable [amd64])
Inst cpio (2.13+dfsg-7.1 Debian:12.15/oldstable [amd64])
Inst nginx-common (1.22.1-9 Debian:12.15/oldstable [all])
Inst libnginx-mod-x (1.0 Debian:12.15/oldstable [amd64])
Inst nginx (1.22.1-9 Debian:12.15/oldstable [amd64])
Inst postfix (3.7.11-0+deb12u1 Debian:12.15/oldstable [amd64])
Inst tzdata [2024a-0] (2025b-0 Debian:12.15/oldstable [all])
`;

describe('apt-batch', () => {
  it('splits install argv into options (the batch key) and specs', () => {
    expect(
      splitInstallArgv(['install', '--no-install-recommends', '-t', 'bookworm-backports', 'nginx', 'curl=7']),
    ).toEqual({
      opts: ['--no-install-recommends', '-t', 'bookworm-backports'],
      specs: ['nginx', 'curl=7'],
    });
    expect(splitInstallArgv(['remove', 'x'])).toBeNull();
    expect(['nginx', 'nginx=1.2-1', 'nginx:amd64', 'nginx/bookworm', 'lib:i386=2'].map(specName)).toEqual([
      'nginx',
      'nginx',
      'nginx',
      'nginx',
      'lib',
    ]);
  });

  it('gives each request what it names and what that pulls in, transitively; the rest to the first', () => {
    const why = parseWhy(SIM);
    expect(why.get('libnginx-mod-x')).toBe('nginx-common');
    const [a, b, c] = splitSimulation(parseSimulation(SIM), why, [
      ['bridge-utils'],
      ['nginx=1.22.1-9'].map(specName),
      ['postfix'],
    ]);
    expect(a!.map((x) => x.target)).toEqual(['bridge-utils', 'tzdata']);
    expect(b!.map((x) => x.target)).toEqual(['nginx-common', 'libnginx-mod-x', 'nginx']);
    expect(c!.map((x) => x.target)).toEqual(['cpio', 'postfix']);
  });

  it('a cycle in the account does not loop', () => {
    const why = new Map([
      ['a', 'b'],
      ['b', 'a'],
    ]);
    expect(splitSimulation([{ op: 'create', target: 'a' }], why, [['x'], ['y']])).toEqual([
      [{ op: 'create', target: 'a' }],
      [],
    ]);
  });
});

describe('TickBatcher', () => {
  it('microtask: calls made synchronously go out together, before a setImmediate queued earlier', async () => {
    const { TickBatcher } = await import('../../../modules/pkg/tick-batcher.js');
    const events: string[] = [];
    const host = {} as never;
    const b = new TickBatcher<number, number>(async (_h, reqs) => {
      events.push(`batch ${reqs.join(',')}`);
      return reqs.map((r) => r * 2);
    }, 'microtask');
    setImmediate(() => events.push('immediate'));
    const a = b.add(host, '', 1);
    const c = b.add(host, '', 2);
    expect(await Promise.all([a, c])).toEqual([2, 4]);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['batch 1,2', 'immediate']);
  });
});
