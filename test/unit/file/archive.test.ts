// archive.extracted helpers as data: compression by magic, members, top level, source_hash.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressionFlag, hashMismatch, members, topLevel } from '../../../modules/archive/tarball.js';
import { extracted } from '../../../modules/archive/extracted.js';

describe('archive.extracted', () => {
  it('tells the compression from the magic bytes', () => {
    expect(compressionFlag(gzipSync('x'))).toBe('-z');
    expect(compressionFlag(Buffer.from('BZh91AY'))).toBe('-j');
    expect(compressionFlag(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1]))).toBe('-J');
    expect(compressionFlag(Buffer.from('ustar plain'))).toBe('');
  });
  it('normalises members and finds the top level', () => {
    const ms = members('./\n./app-1.0/\n./app-1.0/bin/\napp-1.0/bin/run\napp-1.0/README\n');
    expect(ms).toEqual(['app-1.0', 'app-1.0/bin', 'app-1.0/bin/run', 'app-1.0/README']);
    expect(topLevel(ms)).toEqual(['app-1.0']);
  });
  it('checks source_hash as algo=hex or bare hex', () => {
    const data = Buffer.from('archive');
    const sha = createHash('sha256').update(data).digest('hex');
    expect(hashMismatch(data, `sha256=${sha}`)).toBeNull();
    expect(hashMismatch(data, sha.toUpperCase())).toBeNull();
    expect(hashMismatch(data, createHash('md5').update(data).digest('hex'))).toBeNull();
    expect(hashMismatch(data, `sha256=${'0'.repeat(64)}`)).toBe(
      `source_hash mismatch: sha256 of the archive is ${sha}, expected ${'0'.repeat(64)}`,
    );
    expect(hashMismatch(data, 'nothex!')).toMatch(/is not a hash/);
  });
  it('plans: skipped by if_missing, nothing when all members exist, the missing ones listed; enforce_toplevel', () => {
    const facts = { source: 'salt://a.tar', members: ['a', 'a/x', 'a/y'], missing: ['a/y'] };
    const a = { name: '/opt', source: 'salt://a.tar' };
    expect(extracted.plan({ ...a, if_missing: '/opt/a' }, { skip: '/opt/a' }, undefined as never)).toEqual([]);
    expect(extracted.plan(a, { ...facts, missing: [] }, undefined as never)).toEqual([]);
    expect(extracted.plan(a, facts, undefined as never)).toEqual([
      { op: 'create', target: '/opt', after: 'salt://a.tar: a/y' },
    ]);
    const flat = { source: 'salt://f.tar', members: ['x', 'y'], missing: ['x', 'y'] };
    expect(() => extracted.plan(a, flat, undefined as never)).toThrow(
      /does not have a single top-level directory \(has: x, y\); to extract it anyway, set enforce_toplevel: False/,
    );
    expect(extracted.plan({ ...a, enforce_toplevel: false }, flat, undefined as never)).toHaveLength(1);
  });
});
