// pkgrepo.managed keyid + keyserver as data: the keyring's fingerprints read in-process (checked
// against gpg's own listing of a key generated here), the plan, and the schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateDecl } from '../../../engine/highdata.js';
import { hasKeyid, keyringFingerprints } from '../../../modules/pkg/openpgp.js';
import { planManaged, type RepoFacts } from '../../../modules/pkg/pkgrepo.js';
import { compile } from '../../support/compile.js';

let home: string;
let fprs: string[];
let binary: Buffer;
let armored: Buffer;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'brine-openpgp-'));
  const env = { GNUPGHOME: home };
  const gpg = (args: string[]) => execa('gpg', ['--batch', ...args], { env, encoding: 'buffer' });
  await gpg(['--passphrase', '', '--quick-gen-key', 'brine unit <unit@example.invalid>', 'ed25519', 'sign', 'never']);
  const fpr = Buffer.from((await gpg(['--with-colons', '--list-keys'])).stdout)
    .toString()
    .match(/^fpr:+([0-9A-F]{40}):/m)![1]!;
  await gpg(['--passphrase', '', '--quick-add-key', fpr, 'cv25519', 'encr', 'never']);
  const listing = Buffer.from((await gpg(['--with-colons', '--list-keys'])).stdout).toString();
  fprs = [...listing.matchAll(/^fpr:+([0-9A-F]{40}):/gm)].map((m) => m[1]!);
  binary = Buffer.from((await gpg(['--export'])).stdout);
  armored = Buffer.from((await gpg(['--armor', '--export'])).stdout);
  await execa('gpgconf', ['--kill', 'all'], { env, reject: false });
}, 60_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('OpenPGP keyring fingerprints', () => {
  it('reads the primary key and the subkey as gpg lists them, binary or armored', () => {
    expect(fprs).toHaveLength(2);
    expect(keyringFingerprints(binary)).toEqual(fprs);
    expect(keyringFingerprints(armored)).toEqual(fprs);
    expect(keyringFingerprints(Buffer.concat([binary, binary]))).toEqual([...fprs, ...fprs]);
  });

  it('matches a keyid as Salt takes it: fingerprint, long or short id, 0x, any case', () => {
    const f = fprs[0]!;
    for (const id of [f, f.slice(-16), `0x${f.slice(-8).toLowerCase()}`]) expect(hasKeyid(fprs, id)).toBe(true);
    expect(hasKeyid(fprs, f.slice(0, 16))).toBe(false);
    expect(keyringFingerprints(Buffer.from('not a keyring'))).toEqual([]);
  });
});

describe('pkgrepo.managed keyid + keyserver plan', () => {
  const args = { name: 'deb http://x/ y z', keyid: 'AAAABBBBCCCCDDDD', keyserver: 'keys.example.invalid' };
  const line = 'deb [signed-by=/etc/apt/keyrings/x.gpg] http://x/ y z\n';
  const base = (fp: string[] | null): RepoFacts => ({
    file: '/etc/apt/sources.list.d/x.list',
    content: line,
    want: line,
    fetch: { path: '/etc/apt/keyrings/x.gpg', keyid: 'AAAABBBBCCCCDDDD', keyserver: 'keys.example.invalid', fprs: fp },
    listsPresent: true,
  });

  it('a keyring that holds the key is kept (not fetched again)', () => {
    expect(planManaged(args, base([`${'1'.repeat(24)}AAAABBBBCCCCDDDD`]))).toEqual([]);
  });

  it('no keyring, or one without the key: fetch it, then refresh the index', () => {
    expect(planManaged(args, base(null))).toEqual([
      {
        op: 'create',
        target: '/etc/apt/keyrings/x.gpg',
        kind: 'keyserver',
        after: 'fetch key 0xAAAABBBBCCCCDDDD from keys.example.invalid',
      },
      { op: 'run', kind: 'refresh', target: 'apt-get update', after: 'refresh the index of x.list' },
    ]);
    expect(planManaged(args, base([`${'1'.repeat(40)}`])).map((c) => c.op)).toEqual(['update', 'run']);
  });

  const decl = (a: Record<string, unknown>): StateDecl => ({
    id: 'repo',
    sls: 'top',
    module: 'pkgrepo',
    fun: 'managed',
    loc: { file: 'top.sls', line: 3 },
    args: Object.entries(a).map(([key, value], i) => ({ key, value, loc: { file: 'top.sls', line: 4 + i } })),
  });
  const one = (a: Record<string, unknown>) => compile({ states: [decl(a)], sls: ['top'], extend: [], exclude: [] });

  it('schema: keyid needs keyserver and the other way round; a keyid is hex', () => {
    expect(() => one(args)).not.toThrow();
    expect(() => one({ ...args, keyid: '0xCCCCDDDD' })).not.toThrow();
    expect(() => one({ name: args.name, keyid: args.keyid })).toThrow(/top.sls:3: .*keyserver/);
    expect(() => one({ name: args.name, keyserver: args.keyserver })).toThrow(/top.sls:3: .*keyid/);
    expect(() => one({ ...args, keyid: 'not-hex' })).toThrow(/top.sls:5: .*argument 'keyid'/);
  });

  it('pkgrepo.absent takes keyid with a warning: it removes the stored keyring, never a key by id', () => {
    const d = { ...decl({ name: args.name, keyid: args.keyid }), fun: 'absent' };
    const c = compile({ states: [d], sls: ['top'], extend: [], exclude: [] }).chunks[0]!;
    expect(c.args).toEqual({ name: args.name });
    expect(c.meta.inert?.[0]).toMatch(/^keyid has no effect: pkgrepo.absent removes the keyring/);
  });
});
