// file.managed and archive.extracted with http:// sources and source_hash, applied by the built CLI under a scratch
// --root, against a local HTTP server: the dry run shows the diff of what the real run writes; a
// second run changes nothing; a hash file (sha256sum output) works; a wrong hash, a missing hash
// and a missing file stop the run naming the state, with nothing changed and no credentials shown;
// a source list skips a 404.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, cleanScratch, scratch, treeHash } from '../cli/tree.js';

const files: Record<string, string | Buffer> = { '/app.conf': 'port = 1\n' };
let server: Server;
let base = '';
const sha = (t: string | Buffer) => createHash('sha256').update(t).digest('hex');

beforeAll(async () => {
  await build();
  server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end('no');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  cleanScratch();
  await new Promise((r) => server.close(r));
});

interface Res {
  id: string;
  result: boolean | null;
  changes: Array<{ op: string; target: string; diff?: string }>;
}
const top = "base:\n  '*':\n    - app\n";
const sls = (source: string, hash?: string) =>
  `/etc/app.conf:\n  file.managed:\n    - makedirs: True\n    - ` +
  `source: ${source}\n${hash ? `    - source_hash: '${hash}'\n` : ''}`;
async function highstate(s: ReturnType<typeof scratch>, ...more: string[]) {
  const r = await brine(s, ['highstate', '--id', 'm1', '--out', 'json', ...more]);
  return { code: r.code, results: (r.stdout ? JSON.parse(r.stdout).results : []) as Res[], stderr: r.stderr };
}

describe('file.managed with an http source', () => {
  it('dry run shows the diff, the run writes it, the second run is clean; an update too', async () => {
    files['/app.conf'] = 'port = 1\n';
    const s = scratch({ 'top.sls': top, 'app.sls': sls(`${base}/app.conf`, `sha256=${sha('port = 1\n')}`) });
    const before = treeHash(s.root);
    const t = await highstate(s, '--test');
    expect(t.code).toBe(2);
    expect(treeHash(s.root)).toBe(before);
    expect(t.results[0]!.changes[0]).toMatchObject({ op: 'create', target: '/etc/app.conf' });
    expect(t.results[0]!.changes[0]!.diff).toContain('+port = 1');
    const r = await highstate(s);
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'etc/app.conf'), 'utf8')).toBe('port = 1\n');
    expect((await highstate(s)).results[0]!.changes).toEqual([]);

    // the served file changes, with a hash file in sha256sum's format
    files['/app.conf'] = 'port = 2\n';
    files['/SHA256SUMS'] = `${sha('other\n')}  other.tar\n${sha('port = 2\n')}  app.conf\n`;
    s.write('states/app.sls', sls(`${base}/app.conf`, `${base}/SHA256SUMS`));
    const t2 = await highstate(s, '--test');
    expect(t2.code).toBe(2);
    expect(t2.results[0]!.changes[0]!.diff).toMatch(/-port = 1\n\+port = 2/);
    expect(readFileSync(join(s.root, 'etc/app.conf'), 'utf8')).toBe('port = 1\n');
    expect((await highstate(s)).code).toBe(0);
    expect(readFileSync(join(s.root, 'etc/app.conf'), 'utf8')).toBe('port = 2\n');
  });

  it('a wrong hash stops the run naming the state and both hashes; nothing changes', async () => {
    files['/app.conf'] = 'port = 3\n';
    const wrong = '0'.repeat(64);
    const s = scratch({ 'top.sls': top, 'app.sls': sls(`${base}/app.conf`, wrong) });
    const before = treeHash(s.root);
    for (const more of [['--test'], []]) {
      const r = await highstate(s, ...more);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        `/etc/app.conf: source_hash mismatch: sha256 of ${base}/app.conf is ${sha('port = 3\n')}, expected ${wrong}; ` +
          'the file was not changed',
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(treeHash(s.root)).toBe(before);
  });

  it('no source_hash is refused (as Salt), skip_verify accepts; a 404 is skipped in a source list', async () => {
    const s = scratch({ 'top.sls': top, 'app.sls': sls(`${base}/app.conf`) });
    const r = await highstate(s, '--test');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${base}/app.conf cannot be verified: set source_hash (or skip_verify: True)`);

    files['/app.conf'] = 'port = 4\n';
    s.write(
      'states/app.sls',
      `/etc/app.conf:\n  file.managed:\n    - makedirs: True\n    - source:\n      - ${base}/gone.conf\n      ` +
        `- ${base}/app.conf\n` +
        `    - source_hash: '${sha('port = 4\n')}'\n`,
    );
    expect((await highstate(s)).code).toBe(0);
    expect(readFileSync(join(s.root, 'etc/app.conf'), 'utf8')).toBe('port = 4\n');

    s.write('states/app.sls', `${sls(`${base}/app.conf`)}    - skip_verify: True\n`);
    expect((await highstate(s)).results[0]!.changes).toEqual([]);
  });

  it('a missing file names the URL without its credentials', async () => {
    const s = scratch({ 'top.sls': top, 'app.sls': sls(`http://ops:hunter2@${base.slice(7)}/gone.conf`, 'abc') });
    const r = await highstate(s, '--test');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`/etc/app.conf: source not found: ${base}/gone.conf`);
    expect(r.stderr).not.toContain('hunter2');
  });
});

describe('archive.extracted with an http source', () => {
  it('fetches, checks the hash file, extracts; then nothing to do; a wrong hash extracts nothing', async () => {
    const src = mkdtempSync(join(tmpdir(), 'brine-tgz-'));
    mkdirSync(join(src, 'tool-1.0'));
    writeFileSync(join(src, 'tool-1.0', 'README'), 'tool\n');
    const tgz = execFileSync('tar', ['-C', src, '-czf', '-', 'tool-1.0']);
    files['/tool-1.0.tar.gz'] = tgz;
    files['/tool.sums'] = `${sha(tgz)}  tool-1.0.tar.gz\n`;
    const state = (hash: string) =>
      `/opt:\n  archive.extracted:\n    - source: ${base}/tool-1.0.tar.gz\n    - source_hash: '${hash}'\n`;
    rmSync(src, { recursive: true, force: true });
    const s = scratch({ 'top.sls': top, 'app.sls': state('0'.repeat(64)) });
    mkdirSync(join(s.root, 'opt'));
    const before = treeHash(s.root);
    const bad = await highstate(s, '--test');
    expect(bad.results[0]).toMatchObject({ result: false });
    expect(JSON.stringify(bad.results[0])).toContain(`sha256 of the archive is ${sha(tgz)}`);
    expect(treeHash(s.root)).toBe(before);
    s.write('states/app.sls', state(`${base}/tool.sums`));
    const t = await highstate(s, '--test');
    expect(t.code).toBe(2);
    expect(treeHash(s.root)).toBe(before);
    expect((await highstate(s)).code).toBe(0);
    expect(readFileSync(join(s.root, 'opt/tool-1.0/README'), 'utf8')).toBe('tool\n');
    expect((await highstate(s)).results[0]!.changes).toEqual([]);
    expect(existsSync(join(s.root, 'opt/tool-1.0'))).toBe(true);
  });
});
