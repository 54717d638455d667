// The length-framed decoder shared by the ops stream and coalesced reads, on outputs the real
// scripts print (sh on this machine) and on those outputs cut at every byte.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { FramedReader, integersOf } from '../../../engine/host/framed-reader.js';
import type { HostOp } from '../../../engine/host/host.js';
import { COALESCE_COMMAND, decodeResults, encodeCommands } from '../../../engine/host/ssh-coalesce.js';
import { decodeOps, encodeOps, OPS_ARGV } from '../../../engine/host/ssh-ops.js';

describe('FramedReader', () => {
  it('reads whole lines and counted bytes; a line cut short or too few bytes read as undefined', () => {
    const rd = new FramedReader(Buffer.from('3 0\nab\ncK\npart'));
    expect(rd.line()).toBe('3 0');
    expect(rd.bytes(4)?.toString()).toBe('ab\nc');
    expect(rd.bytes(0)?.length).toBe(0);
    expect(rd.line()).toBe('K');
    expect(rd.bytes(5)).toBeUndefined();
    expect(rd.left).toBe(4);
    expect(rd.line()).toBeUndefined();
    expect(rd.rest().toString()).toBe('part');
    expect(rd.line()).toBeUndefined();
    expect(rd.bytes(-1)).toBeUndefined();
  });

  it('integersOf takes only integers between separators', () => {
    expect(integersOf('0 12 -3')).toEqual([0, 12, -3]);
    expect(integersOf('1\t2', '\t')).toEqual([1, 2]);
    for (const bad of [undefined, '', '1  2', '1 x', '1 2 ', '1.5']) expect(integersOf(bad)).toBeUndefined();
  });
});

const MARKERS = 'K\nEND\nC\t0\t0\t1\t0\nF\t0\n0 0\n5\n';

describe('coalesced reads through the decoder', () => {
  const cmds = [
    { command: `printf '${MARKERS.replaceAll('\t', '\\t').replaceAll('\n', '\\n')}'` },
    { command: 'true' },
    { command: "printf 'no line end'; printf '\\n\\n' >&2; exit 4" },
  ];

  it('keeps outputs that look like frames, empty outputs and missing line ends as they are', async () => {
    const r = await execa('sh', ['-c', COALESCE_COMMAND], {
      input: encodeCommands(cmds),
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    const out = Buffer.from(r.stdout);
    const res = decodeResults(out, 3)!;
    expect(res.map((x) => [x.exitCode, x.stdout.toString(), x.stderr])).toEqual([
      [0, MARKERS, ''],
      [0, '', ''],
      [4, 'no line end', '\n\n'],
    ]);
    // cut anywhere, it is not whole: never a shorter output
    for (let n = 0; n < out.length; n++) expect(decodeResults(out.subarray(0, n), 3), `cut at ${n}`).toBeNull();
    expect(decodeResults(out, 2)).toBeNull();
  });
});

describe('the ops stream through the decoder', () => {
  const run = (argv: string[]): HostOp => ({ op: 'exec', argv, output: true });
  const groups: HostOp[][] = [
    [run(['printf', MARKERS])],
    [run(['true']), run(['sh', '-c', 'printf x >&2; exit 2'])],
    [{ op: 'remove', path: '/nonexistent/brine-framed/a/b' }],
  ];

  it('keeps outputs that look like records and empty ones; a stream cut anywhere yields no cut output', async () => {
    const r = await execa(OPS_ARGV[0]!, OPS_ARGV.slice(1), {
      input: encodeOps(groups),
      encoding: 'buffer',
      stripFinalNewline: false,
      reject: false,
    });
    const full = { exitCode: r.exitCode ?? 1, stdout: Buffer.from(r.stdout), stderr: '' };
    const res = decodeOps(groups, full);
    expect(res[0]).toMatchObject({ ok: true, outputs: [{ exitCode: 0, stdout: MARKERS, stderr: '' }] });
    expect(res[1]).toMatchObject({
      ok: true,
      outputs: [
        { exitCode: 0, stdout: '', stderr: '' },
        { exitCode: 2, stdout: '', stderr: 'x' },
      ],
    });
    expect(res[2]).toEqual({ ok: true });
    const whole = new Map<string, string>([
      ['printf', MARKERS],
      ['true', ''],
      ['sh', ''],
    ]);
    for (let n = 0; n < full.stdout.length; n++) {
      const cut = decodeOps(groups, { ...full, exitCode: 255, stdout: full.stdout.subarray(0, n) });
      expect(cut).toHaveLength(3);
      for (const g of cut) {
        for (const o of g.outputs ?? []) expect(o.stdout, `cut at ${n}`).toBe(whole.get(o.argv[0]!));
      }
      // a group is ok only once the script said so
      const oks = cut.filter((g) => g.ok).length;
      const said = (full.stdout.subarray(0, n).toString().match(/^K$/gm) ?? []).length;
      expect(oks, `cut at ${n}`).toBeLessThanOrEqual(said);
    }
  });
});
