// Read-only commands started in the same turn of the event loop (the facts of every state function,
// read at once before a run) share ONE exec channel: a small sh script reads them from its stdin
// (each command line as buildCommand made it, with its own user switch and timeout, and its stdin),
// runs them side by side as separate processes and prints each one's exit code, stdout and stderr,
// framed by their lengths. Each caller gets its own result, as from a channel of its own.

// stdin: per command `CMDLEN INLEN\n`, the command, its stdin. stdout: per command `RC OUTLEN ERRLEN\n`, out, err.
const SCRIPT = `d=$(mktemp -d) || exit 125
trap 'rm -rf -- "$d"' EXIT
n=0
while IFS=' ' read -r cl il; do
  c=$(dd bs="$cl" count=1 iflag=fullblock status=none)
  if [ "$il" -gt 0 ]; then dd bs="$il" count=1 iflag=fullblock status=none of="$d/i$n"; else : > "$d/i$n"; fi
  ( sh -c "$c" < "$d/i$n" > "$d/o$n" 2> "$d/e$n"; echo $? > "$d/r$n" ) &
  n=$((n + 1))
done
wait
i=0
while [ "$i" -lt "$n" ]; do
  printf '%s %s %s\\n' "$(cat "$d/r$i")" "$(wc -c < "$d/o$i")" "$(wc -c < "$d/e$i")"
  cat "$d/o$i" "$d/e$i"
  i=$((i + 1))
done`;

export const COALESCE_COMMAND = `sh -c '${SCRIPT.replace(/'/g, `'\\''`)}'`;

export interface CoalescedCommand {
  command: string;
  stdin?: string | Buffer;
}

export function encodeCommands(cmds: CoalescedCommand[]): Buffer {
  const parts: Buffer[] = [];
  for (const c of cmds) {
    const cmd = Buffer.from(c.command);
    const input =
      c.stdin === undefined ? Buffer.alloc(0) : typeof c.stdin === 'string' ? Buffer.from(c.stdin) : c.stdin;
    parts.push(Buffer.from(`${cmd.length} ${input.length}\n`), cmd, input);
  }
  return Buffer.concat(parts);
}

export interface CoalescedResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** The results in order; null when the output is cut short (the caller runs them on their own). */
export function decodeResults(out: Buffer, n: number): CoalescedResult[] | null {
  const res: CoalescedResult[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const nl = out.indexOf(10, at);
    if (nl < 0) return null;
    const m = /^(\d+) (\d+) (\d+)$/.exec(out.subarray(at, nl).toString('utf8').trim());
    if (!m) return null;
    const [ol, el] = [Number(m[2]), Number(m[3])];
    const start = nl + 1;
    if (start + ol + el > out.length) return null;
    res.push({
      exitCode: Number(m[1]),
      stdout: out.subarray(start, start + ol),
      stderr: out.subarray(start + ol, start + ol + el).toString('utf8'),
    });
    at = start + ol + el;
  }
  return res;
}
