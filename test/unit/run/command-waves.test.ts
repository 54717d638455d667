// Commands in waves (engine/run/wave.ts), without a target: a local host given Host.applyOps runs
// the batch script of SSH (engine/host/ssh-ops.ts) with this machine's sh. A command joins a wave
// only after the states that changed something (they are verified first) and only commands follow
// it; its guards run in the stream at its turn; each state reports what a run without waves reports.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { compile } from '../../support/compile.js';
import { LocalHost } from '../../../engine/host/local.js';
import type { HostOp, HostOpsResult } from '../../../engine/host/host.js';
import { decodeOps, encodeOps, OPS_ARGV } from '../../../engine/host/ssh-ops.js';
import { runCompiled } from '../../../engine/run/index.js';
import type { RunReport } from '../../../engine/run/types.js';
import { decl, high } from '../compile/highdata-builder.js';

class BatchedLocal extends LocalHost {
  readonly batches: HostOp[][][] = [];

  async applyOps(groups: HostOp[][]): Promise<HostOpsResult[]> {
    this.batches.push(groups);
    const r = await execa(OPS_ARGV[0]!, OPS_ARGV.slice(1), {
      input: encodeOps(groups),
      reject: false,
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    return decodeOps(groups, {
      exitCode: r.exitCode ?? 1,
      stdout: Buffer.from(r.stdout),
      stderr: Buffer.from(r.stderr).toString(),
    });
  }
}

function states(d: string) {
  return [
    decl('conf', 'file.managed', { name: `${d}/conf`, contents: 'x' }),
    decl('reads-conf', 'cmd.run', { name: `cat ${d}/conf; touch ${d}/one`, creates: `${d}/one` }),
    decl('created', 'cmd.run', { name: `touch ${d}/wrong`, creates: [`${d}/one`] }),
    decl('fails', 'cmd.run', { name: 'echo bad >&2; exit 3' }),
    decl('next', 'cmd.run', { name: 'echo four', unless: `test -e ${d}/wrong`, cwd: d }),
    decl('in-bg', 'cmd.run', { name: 'sleep 0', bg: true }),
    decl('after', 'file.managed', { name: `${d}/after`, contents: 'y' }),
  ];
}

const shape = (r: RunReport) =>
  r.results.map((x) => {
    const { duration_ms: _, pid, ...data } = x.data ?? {};
    if (pid !== undefined) data.pid = typeof pid === 'number' && pid > 0;
    return [x.id, x.result, x.comment, x.changes.map((c) => [c.op, c.target]), data];
  });

async function run(host: LocalHost): Promise<{ report: RunReport; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'brine-cmdwave-'));
  const report = await runCompiled(compile(high(states(dir))), { host, statesDir: '/nonexistent', test: false });
  return { report, dir: dir };
}

describe('commands in waves', () => {
  it('run in one batch after the verified changes, with their guards at their turn, reporting as alone', async () => {
    const alone = await run(new LocalHost());
    const batched = new BatchedLocal();
    const waved = await run(batched);
    const fix = (r: { report: RunReport; dir: string }) =>
      JSON.parse(JSON.stringify(shape(r.report)).replaceAll(r.dir, 'D'));
    expect(fix(waved)).toEqual(fix(alone));
    expect(fix(waved)).toEqual([
      ['conf', true, '1 change(s) made', [['create', 'D/conf']], {}],
      [
        'reads-conf',
        true,
        'Command "cat D/conf; touch D/one" run',
        [['run', 'cat D/conf; touch D/one']],
        {
          retcode: 0,
          stdout: 'x',
          stderr: '',
        },
      ],
      ['created', true, 'All files in creates exist: D/one', [], {}],
      [
        'fails',
        false,
        'Command "echo bad >&2; exit 3" exited 3',
        [['run', 'echo bad >&2; exit 3']],
        {
          retcode: 3,
          stdout: '',
          stderr: 'bad',
        },
      ],
      ['next', true, 'Command "echo four" run', [['run', 'echo four']], { retcode: 0, stdout: 'four', stderr: '' }],
      ['in-bg', true, 'Command "sleep 0" started in the background', [['run', 'sleep 0']], { pid: true }],
      ['after', true, '1 change(s) made', [['create', 'D/after']], {}],
    ]);
    // the file alone (a command does not run before its verifying read), then the four commands
    // with their guards; the last file after them in a wave of its own (its write in the op stream)
    expect(batched.batches.map((b) => b.map((g) => g.map((op) => op.op)))).toEqual([
      [['write']],
      [['guard', 'exec'], ['guard', 'exec'], ['exec'], ['guard', 'exec'], ['exec']],
      [['write']],
    ]);
    expect(existsSync(join(waved.dir, 'wrong'))).toBe(false);
  });
});
