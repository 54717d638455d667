// The command session of an ssh connection: ONE exec channel running a small sh loop on the target
// that reads framed scripts on its stdin and evaluates them one after the other, so each later round
// trip costs no new sshd session process, login shell or wrapper. A fleet's targets pay every
// process they start: a no-op push's grains, run lock and facts take one channel instead of three.
// The first frame rides on the command line that starts the session (no stdin to read for it).
// A frame is `N\n` and N lines of sh; the loop answers with the frame's stdout (raw), then
// `\nMARKER end STATUS\n` on stdout and `\nMARKER\n` on stderr; MARKER is random per session.
// Its variables and functions are named brine_*; frames run their commands in subshells.
// On EOF (the host closes, the connection drops) the loop ends, and so does a HUP, TERM or a write to
// the gone channel (PIPE): the run lock's file is emptied and the batch outputs' directory removed.
import { randomBytes } from 'node:crypto';
import { shQuote } from './exec.js';

// $1 marker, $2 the first frame; the run lock's take (run-lock.ts) is given as brine_lock's body, the op
// stream's script (ssh-ops.ts) as brine_ops's.
export function sessionScript(lockBody: string, opsBody?: string): string {
  return `brine_m=$1 brine_d= brine_l=
brine_end() {
  [ -z "$brine_l" ] || : > "$brine_l"
  [ -z "$brine_d" ] || rm -rf -- "$brine_d"
}
trap brine_end EXIT
trap 'exit 129' HUP; trap 'exit 141' PIPE; trap 'exit 143' TERM
brine_frame() {
  eval "$1"
  brine_rc=$?
  printf '\\n%s\\n' "$brine_m" >&2
  printf '\\n%s end %s\\n' "$brine_m" "$brine_rc"
}
brine_lock() {
${lockBody}
}
${opsBody ? opsFunctions(opsBody) : ''}[ -z "\${2-}" ] || brine_frame "$2"
while IFS= read -r brine_n; do
  case $brine_n in
    b[0-9]*)
      case \${brine_n#b} in *[!0-9]*) break ;; esac
      brine_s=$(head -c "\${brine_n#b}")
      case $brine_s in *"#$brine_m") ;; *) break ;; esac ;;
    ''|*[!0-9]*) break ;;
    *)
      brine_s= brine_i=0
      while [ "$brine_i" -lt "$brine_n" ] && IFS= read -r brine_x; do
        brine_s="$brine_s$brine_x
"
        brine_i=$((brine_i + 1))
      done ;;
  esac
  brine_frame "$brine_s"
done`;
}

// An op stream (ssh-ops.ts) of N bytes follows its frame on stdin: \`head -c N\` hands the script exactly
// those (the frames after them stay the session's); a script that stopped early (a failed write, a bad
// record) has the rest read away, so the next frame starts where it should. The stream's files go to
// the session's directory; the run lock's descriptor is not the script's.
function opsFunctions(opsBody: string): string {
  return `brine_ops() {
${opsBody}
}
brine_opsrun() {
  [ -n "\${brine_u0-}" ] || brine_u0=$(umask)
  if [ -n "$brine_d" ] || brine_d=$(mktemp -d); then
    head -c "$1" | { trap '[ "$?" = 0 ] || cat >/dev/null' EXIT; exec 9>&-; brine_ops "$brine_d"; }
  else
    brine_d=; head -c "$1" >/dev/null; (exit 125)
  fi
}
`;
}

/** The frame that runs an op stream of `bytes` bytes, which the caller sends right after it. */
export function opsFrame(bytes: number): string {
  return `brine_opsrun ${bytes}`;
}

export function newMarker(): string {
  return `@@brine-${randomBytes(8).toString('hex')}`;
}

// sh's \`read\` takes a pipe one byte per system call: a long frame comes whole by one \`head -c\`,
// ending in a comment naming the marker, so a frame cut short (the connection gone) is not run
const HEAD_FROM = 4096;

/**
 * A frame's bytes on the session's stdin: its line count, then its lines; a frame over 4 KiB is
 * `bBYTES`, then its text and `#MARKER`.
 */
export function encodeFrame(script: string, marker: string): string {
  const text = script.endsWith('\n') ? script : `${script}\n`;
  if (text.length > HEAD_FROM) {
    const body = `${text}#${marker}`;
    return `b${Buffer.byteLength(body)}\n${body}`;
  }
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return `${n}\n${text}`;
}

/** One command (as buildCommand made it) in a subshell: its stdout and stderr are the frame's. */
export function aloneFrame(command: string): string {
  return `( eval ${shQuote(command)} ) </dev/null 9>&-`;
}

// the batch's outputs go to a directory the session makes once (mktemp) and removes at its end;
// one cat sends them, each after a header the shell's printf wrote: `\nMARKER o STATUS\n`, `\nMARKER e\n`
/** Commands side by side (each as buildCommand made it), their outputs framed in the frame's stdout. */
export function batchFrame(commands: string[]): string {
  const f = (k: string, i: number) => `"$brine_d/${k}${i}"`;
  const lines = ['if [ -n "$brine_d" ] || brine_d=$(mktemp -d); then'];
  commands.forEach((c, i) => {
    lines.push(`( eval ${shQuote(c)} ) </dev/null >${f('o', i)} 2>${f('e', i)} 9>&- & brine_p${i}=$!`);
  });
  commands.forEach((_, i) => {
    lines.push(
      `wait "$brine_p${i}"; printf '\\n%s o %s\\n' "$brine_m" "$?" >${f('a', i)}; ` +
        `printf '\\n%s e\\n' "$brine_m" >${f('b', i)}`,
    );
  });
  const files = commands.map((_, i) => `${f('a', i)} ${f('o', i)} ${f('b', i)} ${f('e', i)}`);
  lines.push(`cat -- ${files.join(' ')}`);
  lines.push('else brine_d=; (exit 125); fi');
  return lines.join('\n');
}

/**
 * Commands in inlineCommand's form (ssh-command.ts: no `timeout` or sh of their own) side by side in
 * ONE `timeout -k 5 SECS sh` (0: none) for the batch; the outputs framed as batchFrame frames them.
 * A command the batch's timeout ended says 124, as its own `timeout` would.
 */
export function inlineBatchFrame(commands: string[], secs: number): string {
  // one subshell per command (it execs the program); their statuses are written in order as `wait`
  // gives them. The timeout's TERM (sent to the whole group) interrupts the wait of a hung command
  // and ends the commands still running, which then say 124; one that had ended keeps its status.
  // A command that outlives the TERM is KILLed with the script 5 s later: what was not written yet
  // keeps the 124 written before.
  const inner = [
    'brine_m=$1 brine_d=$2 brine_t=',
    ...commands.map((c, i) => `( ${c}\n) </dev/null >"$brine_d/o${i}" 2>"$brine_d/e${i}" & brine_p${i}=$!`),
    "trap 'brine_t=1' TERM",
    'brine_w() {',
    '  wait "$1"; brine_s=$?',
    '  [ -z "$brine_t" ] || [ "$brine_s" != 143 ] || brine_s=124',
    `  printf '\\n%s o %s\\n' "$brine_m" "$brine_s" >"$brine_d/a$2"`,
    '}',
    ...commands.map((_, i) => `brine_w "$brine_p${i}" ${i}`),
  ].join('\n');
  const f = (k: string, i: number) => `"$brine_d/${k}${i}"`;
  const lines = ['if [ -n "$brine_d" ] || brine_d=$(mktemp -d); then'];
  commands.forEach((_, i) => {
    lines.push(
      `printf '\\n%s o 124\\n' "$brine_m" >${f('a', i)}; printf '\\n%s e\\n' "$brine_m" >${f('b', i)}; ` +
        `: >${f('o', i)}; : >${f('e', i)}`,
    );
  });
  const limit = secs > 0 ? `timeout -k 5 ${secs} ` : '';
  lines.push(`${limit}sh -c ${shQuote(inner)} sh "$brine_m" "$brine_d" </dev/null 9>&-`);
  const files = commands.map((_, i) => `${f('a', i)} ${f('o', i)} ${f('b', i)} ${f('e', i)}`);
  lines.push(`cat -- ${files.join(' ')}`);
  lines.push('else brine_d=; (exit 125); fi');
  return lines.join('\n');
}

export interface FrameResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** A batch frame's output split per command; null when it is not whole (the caller runs them alone). */
export function decodeBatch(out: Buffer, marker: string, n: number): FrameResult[] | null {
  const sep = Buffer.from(`\n${marker} `);
  const parts: Buffer[] = [];
  let at = out.indexOf(sep);
  if (at !== 0) return null;
  while (at >= 0) {
    const next = out.indexOf(sep, at + sep.length);
    parts.push(out.subarray(at + sep.length, next < 0 ? out.length : next));
    at = next;
  }
  if (parts.length !== 2 * n) return null;
  const res: FrameResult[] = [];
  for (let i = 0; i < n; i++) {
    const o = parts[2 * i]!;
    const e = parts[2 * i + 1]!;
    const nl = o.indexOf(10);
    const head = /^o (\d+)$/.exec(o.subarray(0, Math.max(0, nl)).toString('latin1'));
    if (!head || !e.subarray(0, 2).equals(Buffer.from('e\n'))) return null;
    res.push({ exitCode: Number(head[1]), stdout: o.subarray(nl + 1), stderr: e.subarray(2).toString('utf8') });
  }
  return res;
}

/** The end of a frame in a session's stdout: where its output stops, its status, where the next begins. */
export function findFrameEnd(out: Buffer, marker: string): { at: number; status: number; next: number } | null {
  const tag = Buffer.from(`\n${marker} end `);
  const at = out.indexOf(tag);
  if (at < 0) return null;
  const nl = out.indexOf(10, at + tag.length);
  if (nl < 0) return null;
  const status = Number(out.subarray(at + tag.length, nl).toString('latin1'));
  return { at, status: Number.isInteger(status) ? status : 255, next: nl + 1 };
}

/** What a session's channel needs of ssh2's ClientChannel. */
export interface SessionChannel {
  on(ev: 'data', cb: (d: Buffer) => void): unknown;
  on(ev: 'close', cb: () => void): unknown;
  stderr: { on(ev: 'data', cb: (d: Buffer) => void): unknown };
  write(data: string | Buffer): unknown;
  end(): unknown;
  close(): unknown;
}

interface Pending {
  timeoutMs: number;
  onLine?: (line: string) => void;
  resolve(r: FrameResult & { timedOut?: boolean }): void;
  reject(e: Error): void;
}

/**
 * One session channel: frames run one after the other (the first came with the command that
 * opened it); `ended` says why it no longer takes frames. A frame still waiting when the channel
 * closes is rejected with `lost(why)`.
 */
export class CommandSession {
  ended: string | undefined;
  /** A frame came back whole: the loop runs on this login. */
  answered = false;
  private readonly queue: Pending[] = [];
  private out: Buffer = Buffer.alloc(0);
  private err: Buffer = Buffer.alloc(0);
  private lineAt = 0;
  private guard: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    readonly marker: string,
    private readonly channel: Promise<SessionChannel>,
    private readonly lost: (why: string) => Error,
    first: { timeoutMs: number; onLine?: (line: string) => void },
    private readonly onEnd: (why: string) => void,
  ) {
    const firstDone = this.enqueue(first.timeoutMs, first.onLine);
    this.firstResult = firstDone;
    channel.then(
      (ch) => {
        ch.on('data', (d: Buffer) => this.data('out', d));
        ch.stderr.on('data', (d: Buffer) => this.data('err', d));
        ch.on('close', () => this.end('the command session ended'));
      },
      (e: Error) => this.end(e.message),
    );
  }

  /** The first frame's result (the one on the session's command line). */
  readonly firstResult: Promise<FrameResult & { timedOut?: boolean }>;

  /** Frames sent and not answered yet. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Sends a frame (and `input`, what it reads of stdin after it); resolves with its output and status. */
  run(
    script: string,
    timeoutMs: number,
    onLine?: (line: string) => void,
    input?: Buffer,
  ): Promise<FrameResult & { timedOut?: boolean }> {
    if (this.ended) return Promise.reject(this.lost(this.ended));
    const p = this.enqueue(timeoutMs, onLine);
    const frame = encodeFrame(script, this.marker);
    const data = input?.length ? Buffer.concat([Buffer.from(frame), input]) : frame;
    void this.channel.then((ch) => ch.write(data)).catch(() => {});
    return p;
  }

  /**
   * EOF: the loop ends (the run lock's file emptied, the outputs' directory removed); `kill` closes
   * the channel instead (a frame still waiting). Waits up to 2 s for the channel to close.
   */
  async close(kill = false): Promise<void> {
    if (this.finished) return;
    this.ended ??= 'the command session was closed';
    const ch = await this.channel.catch(() => undefined);
    if (!ch) return;
    const gone = new Promise<void>((resolve) => {
      this.gone = resolve;
      setTimeout(resolve, 2000).unref();
    });
    if (kill) ch.close();
    else ch.end();
    await gone;
  }

  private gone: () => void = () => {};

  private enqueue(timeoutMs: number, onLine?: (line: string) => void) {
    return new Promise<FrameResult & { timedOut?: boolean }>((resolve, reject) => {
      this.queue.push({ timeoutMs, onLine, resolve, reject });
      if (this.queue.length === 1) this.arm();
    });
  }

  // the remote `timeout` ends a command; this catches a target that stopped answering
  private arm(): void {
    if (this.guard) clearTimeout(this.guard);
    this.guard = undefined;
    const head = this.queue[0];
    if (!head || head.timeoutMs <= 0) return;
    this.guard = setTimeout(() => {
      const p = this.queue.shift();
      p?.resolve({ exitCode: 124, stdout: Buffer.alloc(0), stderr: '', timedOut: true });
      void this.channel.then((ch) => ch.close());
      this.end('the command session stopped answering');
    }, head.timeoutMs + 15_000);
  }

  private data(which: 'out' | 'err', d: Buffer): void {
    if (which === 'out') this.out = this.out.length ? Buffer.concat([this.out, d]) : d;
    else this.err = this.err.length ? Buffer.concat([this.err, d]) : d;
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const end = findFrameEnd(this.out, this.marker);
      if (head.onLine) this.lines(head.onLine, end ? end.at + 1 : this.out.length);
      const errTag = Buffer.from(`\n${this.marker}\n`);
      const errAt = this.err.indexOf(errTag);
      if (!end || errAt < 0) return;
      this.queue.shift();
      const stdout = this.out.subarray(0, end.at);
      const stderr = this.err.subarray(0, errAt).toString('utf8');
      this.out = this.out.subarray(end.next);
      this.err = this.err.subarray(errAt + errTag.length);
      this.lineAt = 0;
      this.answered = true;
      head.resolve({ exitCode: end.status, stdout, stderr });
      this.arm();
    }
  }

  // each whole line of the frame's stdout so far, once (the marker's own lines are not the frame's)
  private lines(onLine: (line: string) => void, upTo: number): void {
    for (;;) {
      const nl = this.out.indexOf(10, this.lineAt);
      if (nl < 0 || nl >= upTo) return;
      const line = this.out.subarray(this.lineAt, nl).toString('utf8');
      this.lineAt = nl + 1;
      if (line !== '') onLine(line);
    }
  }

  private end(why: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.guard) clearTimeout(this.guard);
    this.guard = undefined;
    this.ended ??= why;
    for (const p of this.queue.splice(0)) p.reject(this.lost(why));
    this.gone();
    this.onEnd(this.ended);
  }
}
