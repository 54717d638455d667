// Read-only commands started in the same turn of the event loop (the facts of every state function,
// read at once before a run) share ONE exec channel: a small sh script reads a plan from its stdin
// (each command line as buildCommand made it, with its own user switch and timeout, and its stdin),
// runs them side by side as separate processes and prints each one's exit code, stdout and stderr,
// framed by their lengths. Each caller gets its own result, as from a channel of its own.
// On a fleet the target's process starts are the cost: the plan is read by one dd, each command is
// one subshell (no `sh -c` of its own) whose status `wait` gives, and one stat and one cat frame
// every output, whatever the number of commands.
import { shQuote } from './exec.js';
import { FramedReader, integersOf } from './framed-reader.js';

// stdin: `PLANLEN\n`, the plan (sh, made by encodeCommands), then the commands' stdin in their order.
// stdout: a line of exit codes, a line per output with its size (stat: stdout, stderr of each
// command in turn), then the outputs themselves in that order.
// The commands are evaluated in subshells of this one: its own variables are named brine_*.
const SCRIPT = `brine_d=$(mktemp -d) || exit 125
trap 'rm -rf -- "$brine_d"' EXIT
IFS= read -r brine_len || exit 125
brine_plan=$(dd bs="$brine_len" count=1 iflag=fullblock status=none) || exit 125
eval "$brine_plan"`;

export const COALESCE_COMMAND = `sh -c ${shQuote(SCRIPT)}`;

export interface CoalescedCommand {
  command: string;
  stdin?: string | Buffer;
}

const STDIN = (i: number) => `dd bs=%d count=1 iflag=fullblock status=none of="$brine_d/i${i}" || exit 125`;

/** The plan the script evaluates (the commands started at once, their statuses and outputs), then their stdin. */
export function encodeCommands(cmds: CoalescedCommand[]): Buffer {
  const inputs: Buffer[] = [];
  const lines: string[] = [];
  const outs: string[] = [];
  cmds.forEach((c, i) => {
    const input =
      c.stdin === undefined ? Buffer.alloc(0) : typeof c.stdin === 'string' ? Buffer.from(c.stdin) : c.stdin;
    let from = '/dev/null';
    if (input.length) {
      lines.push(STDIN(i).replace('%d', String(input.length)));
      inputs.push(input);
      from = `"$brine_d/i${i}"`;
    }
    lines.push(`( eval ${shQuote(c.command)} ) <${from} >"$brine_d/o${i}" 2>"$brine_d/e${i}" & brine_p${i}=$!`);
    outs.push(`"$brine_d/o${i}" "$brine_d/e${i}"`);
  });
  lines.push(cmds.map((_, i) => `wait "$brine_p${i}"; brine_r${i}=$?`).join('\n'));
  lines.push(`echo ${cmds.map((_, i) => `"$brine_r${i}"`).join(' ')}`);
  lines.push(`stat -c %s -- ${outs.join(' ')} || exit 125`);
  lines.push(`cat -- ${outs.join(' ')}`);
  const plan = Buffer.from(lines.join('\n'));
  return Buffer.concat([Buffer.from(`${plan.length}\n`), plan, ...inputs]);
}

export interface CoalescedResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** The results in order; null when the output is cut short (the caller runs them on their own). */
export function decodeResults(out: Buffer, n: number): CoalescedResult[] | null {
  const rd = new FramedReader(out);
  const codes = integersOf(rd.line());
  if (codes?.length !== n) return null;
  const sizes: number[] = [];
  for (let i = 0; i < 2 * n; i++) {
    const [size, ...more] = integersOf(rd.line()) ?? [];
    if (size === undefined || more.length) return null;
    sizes.push(size);
  }
  const res: CoalescedResult[] = [];
  for (const [i, exitCode] of codes.entries()) {
    const stdout = rd.bytes(sizes[2 * i]!);
    const stderr = rd.bytes(sizes[2 * i + 1]!);
    if (!stdout || !stderr) return null;
    res.push({ exitCode, stdout, stderr: stderr.toString('utf8') });
  }
  return res;
}
