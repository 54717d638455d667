// Host.applyOps over SSH: groups of changes made by ONE sh script (as root, or under `sudo -n` for a
// non-root login, like every other command), in the command session (ssh-session.ts) or on an exec
// channel of its own. The ops and the contents of the files they write travel in its stdin: a line
// per field, then a file's bytes, read with `dd iflag=fullblock` (exactly its size, never more), and
// a line end. A stream cut short (the controller or the connection died) ends the script: a field, a
// command or a file's data that did not arrive whole, up to its line end, is not acted on. Writes keep
// writeFileAtomic's guarantees: a temp file `.NAME.brine-XXXX` in the same directory, created no wider than
// the final mode, owner and mode set before the data, the data fsynced, then renamed over the target (a
// crash leaves the old file or the new one, and a temp file the next run sweeps). A run of groups of mkdirs
// and writes goes as one `B` record instead: its files in one tar (ssh-ops-tar.ts).
// A state's command (exec with `output`) and its guards run in the same stream at their turn: the
// command string is built as Host.exec builds it (buildCommand: env, user, cwd, timeout) and travels
// with its length (a command may span lines; a short one as its lines, read by sh's `read`), and
// runs in a subshell of the script (`eval`: the string starts with `exec`, so no second sh starts);
// its exit code, duration (measured on the target), stdout and stderr come back framed by their
// byte counts (one `stat` and one `cat` for both, none when both are empty). A guard that says skip
// ends its group.
import { randomBytes } from 'node:crypto';
import { endedByTimeout } from './exec.js';
import { FramedReader, integersOf } from './framed-reader.js';
import type { ExecAnswer, ExecOptions, GuardSkip, HostOp, HostOpsResult } from './host.js';
import { buildCommand } from './ssh-command.js';
import { encodeTarRun, TAR_FROM, TAR_RUN_SCRIPT, tarRun } from './ssh-ops-tar.js';
import { tempPath } from './temp-name.js';

// stdout: per group `K` (done), `F<TAB>index` and a line of the failing command's stderr, or
// `S<TAB>kind[<TAB>index]` (a guard skipped the rest), each command's answer before it
// (`C<TAB>exit<TAB>ms<TAB>out bytes<TAB>err bytes`, then those bytes); `END`.
// (`true > "$t"`, not `: > "$t"`: a redirection that fails on a special built-in ends sh.)
// $1: a directory of the caller's for the script's own files (the command session's), else one it makes.
// A command's duration: /proc/uptime read by the shell (no process; 10 ms steps), else \`date\`.
// The umask to restore for commands: the command session's, asked once per session (brine_u0), else here.
const OPS_SCRIPT = `set -C
U0=\${brine_u0:-$(umask)}
if [ -n "\${1-}" ]; then W=$1; else
  W=$(mktemp -d) || exit 125
  trap 'rm -rf -- "$W"' EXIT
fi
trap 'exit 129' HUP; trap 'exit 141' PIPE; trap 'exit 143' TERM
E=$W/e O=$W/o Q=$W/c NL='
'
: >|"$E"
skip=0 i=0
l() { for f_; do IFS= read -r "$f_" || exit 3; done; }
eol() { IFS= read -r e_ && [ -z "$e_" ] || exit 3; }
rd() {
  v=
  case $1 in
  l*) rk=\${1#l}
      while [ "$rk" -gt 0 ]; do
        IFS= read -r ra || exit 3; v="$v$ra"; rk=$((rk - 1)); [ "$rk" = 0 ] || v="$v$NL"
      done ;;
  *) if [ "$1" -gt 0 ]; then v=$(dd bs="$1" count=1 iflag=fullblock status=none; echo .); v=\${v%.}; fi; eol ;;
  esac
}
ev() { ( umask "$U0"; set +C; eval "$1" ); }
ms() {
  if IFS=' .' read -r u1 u2 u3 2>/dev/null </proc/uptime && [ -n "$u2" ]; then
    eval "$1=$((u1 * 1000 + \${u2#0} * 10))"
  else eval "$1=$(($(date +%s%N) / 1000000))"; fi
}
q() { ev "$1" </dev/null >/dev/null 2>&1; }
disc() { [ "$1" -gt 0 ] && dd bs="$1" count=1 iflag=fullblock status=none of=/dev/null; return 0; }
fail() { printf 'F\\t%s\\n' "$i"; tr '\\n' ' ' < "$E"; echo; skip=1; }
w() {
  p=$1 u=$2 x=$3 o=$4 g=$5 n=$6 t=$7 ex=
  [ -e "$p" ] && ex=1
  if [ -z "$u" ]; then if [ -n "$ex" ]; then u=077; else u=022; fi; fi
  umask "$u"
  if ! { true > "$t"; } 2>>"$E"; then disc "$n"; eol; return 1; fi
  if ! {
    { [ -z "$ex" ] || chown --reference="$p" -- "$t"; } &&
    { [ -z "$o$g" ] || chown -- "$o\${g:+:$g}" "$t"; } &&
    { [ -z "$x" ] || chmod -- "$x" "$t"; } &&
    { [ -n "$2" ] || [ -z "$ex" ] || chmod --reference="$p" -- "$t"; }
  } 2>>"$E"; then disc "$n"; rm -f -- "$t"; eol; return 1; fi
  if [ "$n" -gt 0 ] && ! dd bs="$n" count=1 iflag=fullblock status=none conv=fsync,notrunc of="$t" 2>>"$E"; then
    rm -f -- "$t"; fail; exit 3
  fi
  IFS= read -r e_ && [ -z "$e_" ] || { rm -f -- "$t"; exit 3; }
  mv -fT -- "$t" "$p" 2>>"$E" || { rm -f -- "$t"; return 1; }
}
mk() {
  umask "$2"
  if [ "$3" = 1 ]; then
    [ -d "$1" ] && return 0
    mkdir -p -- "$1" 2>>"$E"
  else
    mkdir -- "$1" 2>>"$E"
  fi
}
rmv() {
  if [ "$2" = 1 ]; then rm -rf -- "$1" 2>>"$E"
  elif [ -d "$1" ] && [ ! -L "$1" ]; then rmdir -- "$1" 2>>"$E"
  else rm -f -- "$1" 2>>"$E"; fi
}
x() {
  n=$1; set --
  while [ "$n" -gt 0 ]; do l a; set -- "$@" "$a"; n=$((n - 1)); done
  [ "$skip" = 1 ] && return 0
  umask 022
  "$@" </dev/null >/dev/null 2>>"$E"
}
while IFS= read -r op; do
  case $op in
  G) skip=0 i=0; : >| "$E" ;;
  g) [ "$skip" = 1 ] || echo K ;;
  W) l p u xm o g n t
     if [ "$skip" = 1 ]; then disc "$n"; eol; else w "$p" "$u" "$xm" "$o" "$g" "$n" "$t" || fail; fi; i=$((i + 1)) ;;
  M) l p u r
     [ "$skip" = 1 ] || mk "$p" "$u" "$r" || fail; i=$((i + 1)) ;;
  R) l p r
     [ "$skip" = 1 ] || rmv "$p" "$r" || fail; i=$((i + 1)) ;;
  N) l a b
     [ "$skip" = 1 ] || mv -fT -- "$a" "$b" 2>>"$E" || fail; i=$((i + 1)) ;;
  X) l c; x "$c" || fail; i=$((i + 1)) ;;
  Y) l n; rd "$n"
     [ "$skip" = 1 ] || ev "$v" </dev/null >/dev/null 2>>"$E" || fail; i=$((i + 1)) ;;
  C) l n; rd "$n"
     if [ "$skip" != 1 ]; then
       ms s; ev "$v" </dev/null >|"$O" 2>|"$Q"; rc=$?; ms e
       if [ -s "$O" ] || [ -s "$Q" ]; then set -- $(stat -c %s -- "$O" "$Q"); else set -- 0 0; fi
       printf 'C\t%s\t%s\t%s\t%s\n' "$rc" "$((e - s))" "$1" "$2"
       [ "$1$2" = 00 ] || cat -- "$O" "$Q"
     fi; i=$((i + 1)) ;;
  Q) l no nu nc; why= all=1 k=0
     while [ "$k" -lt "$no" ]; do
       l n; rd "$n"
       if [ "$skip" != 1 ] && [ -z "$why" ] && ! q "$v"; then why="onlyif $k"; fi; k=$((k + 1))
     done
     k=0
     while [ "$k" -lt "$nu" ]; do
       l n; rd "$n"
       if [ "$skip" != 1 ] && [ -z "$why" ] && [ "$all" = 1 ] && ! q "$v"; then all=0; fi; k=$((k + 1))
     done
     if [ "$nu" -gt 0 ] && [ "$all" = 1 ] && [ -z "$why" ]; then why=unless; fi
     all=1 k=0
     while [ "$k" -lt "$nc" ]; do
       l p; [ -e "\${BRINE_ROOT-}$p" ] || [ -L "\${BRINE_ROOT-}$p" ] || all=0; k=$((k + 1))
     done
     if [ "$nc" -gt 0 ] && [ "$all" = 1 ] && [ -z "$why" ]; then why=creates; fi
     if [ "$skip" != 1 ] && [ -n "$why" ]; then printf 'S\t%s\n' "$why"; skip=1; fi
     i=$((i + 1)) ;;
  B) l c b; lb "$c" "$b"; l c; bt "$c" ;;
  *) echo "bad op: $op" >&2; exit 3 ;;
  esac
done
echo END`;

/** The command's argv (run through buildCommand like any other). */
// $0 is `sh`: a command's own shell errors (from its `eval`) read as they would under `sh -c`
/** The whole script (the command session defines it as a function: ssh-session.ts). */
export const OPS_BODY = `${TAR_RUN_SCRIPT}\n${OPS_SCRIPT}`;
export const OPS_ARGV = ['sh', '-c', OPS_BODY, 'sh'];

const octal = (n: number) => n.toString(8).padStart(4, '0');
/** Ends a file's data and a command's text: the script reads it before it acts (else the stream was cut). */
const NL = Buffer.from('\n');

/** A command up to this many bytes travels as its lines (read by sh); longer, as its bytes (one dd). */
const LINES_UP_TO = 2048;

/** Turns a command into the string the target's sh runs (as Host.exec would run it there). */
export type CommandBuilder = (argv: string[], opts: ExecOptions) => string;

/** Inside the stream the script already runs as root (itself under `sudo -n` for a non-root login). */
export const asRoot =
  (defaultTimeoutMs: number): CommandBuilder =>
  (argv, opts) =>
    buildCommand(argv, opts, { loginUser: 'root', timeoutMs: opts.timeoutMs ?? defaultTimeoutMs });

/**
 * The batch's own timeout: the default for its file ops, plus each command's and guard's (0: none
 * when the default is none).
 */
export function batchTimeout(groups: HostOp[][], each: number): number {
  if (each <= 0) return 0;
  let t = each;
  for (const op of groups.flat()) {
    if (op.op === 'exec' && (op.output || hasOptions(op))) {
      if (op.timeoutMs === 0) return 0;
      t += op.timeoutMs ?? each;
    } else if (op.op === 'guard') t += each * (op.onlyif.length + op.unless.length);
  }
  return t;
}

/** The ExecOptions of an exec op (what Host.exec would get). */
export function execOptions(op: Extract<HostOp, { op: 'exec' }>): ExecOptions {
  const o: ExecOptions = {};
  if (op.env) o.env = op.env;
  if (op.user) o.user = op.user;
  if (op.cwd) o.cwd = op.cwd;
  if (op.timeoutMs !== undefined) o.timeoutMs = op.timeoutMs;
  return o;
}

const hasOptions = (op: Extract<HostOp, { op: 'exec' }>): boolean => Object.keys(execOptions(op)).length > 0;

/** Why an op cannot travel in the stream (a field on more than one line): then it is not batched. */
export function opUnfit(op: HostOp): string | undefined {
  const fields =
    op.op === 'exec'
      ? op.output || hasOptions(op)
        ? [] // built into one command string that travels with its length
        : op.argv
      : op.op === 'guard'
        ? op.creates
        : op.op === 'rename'
          ? [op.from, op.to]
          : op.op === 'write'
            ? [op.path, op.owner ?? '', op.group ?? '']
            : [op.path];
  return fields.some((f) => /[\n\r]/.test(f)) ? 'a newline in a field' : undefined;
}

/** stdin of the script for these groups; a run of at least `tarFrom` writes (or of mkdirs only) goes by tar. */
export function encodeOps(groups: HostOp[][], build: CommandBuilder = asRoot(0), o: { tarFrom?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  const tarFrom = o.tarFrom ?? TAR_FROM;
  for (const op of groups.flat()) {
    const bad = opUnfit(op);
    if (bad) throw new Error(`cannot batch ${op.op}: ${bad}`);
  }
  for (let at = 0; at < groups.length; ) {
    const [end, writes] = tarRun(groups, at);
    if (end > at && (writes >= tarFrom || (writes === 0 && end - at > 1))) {
      parts.push(encodeTarRun(groups.slice(at, end)));
      at = end;
      continue;
    }
    // one group the usual way (a tar run's first group may still start a run at the next)
    encodeGroup(groups[at]!, parts, build);
    at++;
  }
  return Buffer.concat(parts);
}

function encodeGroup(g: HostOp[], parts: Buffer[], build: CommandBuilder): void {
  const lines = (...ls: string[]) => parts.push(Buffer.from(ls.map((l) => `${l}\n`).join('')));
  const sized = (text: string) => {
    const b = Buffer.from(text);
    if (b.length > LINES_UP_TO) {
      lines(String(b.length));
      parts.push(b, NL);
      return;
    }
    // small: its lines, read by the shell's read (a dd costs a fork and an exec); each read up to its
    // line end, so a text cut short is never run
    const ls = text.split('\n');
    lines(`l${ls.length}`, ...ls);
  };
  lines('G');
  for (const op of g) {
    switch (op.op) {
      case 'write': {
        const m = op.mode;
        // created with the mode's rw bits (never wider); x and special bits by chmod after chown
        const u = m === undefined ? '' : octal(~m & 0o777 & 0o777);
        const x = m !== undefined && m & 0o7111 ? octal(m) : '';
        const tmp = tempPath(op.path, randomBytes(6).toString('hex'));
        lines('W', op.path, u, x, op.owner ?? '', op.group ?? '', String(op.data.length), tmp);
        parts.push(op.data, NL);
        break;
      }
      case 'mkdir':
        lines('M', op.path, octal(~(op.mode ?? 0o755) & 0o777), op.recursive ? '1' : '0');
        break;
      case 'remove':
        lines('R', op.path, op.recursive ? '1' : '0');
        break;
      case 'rename':
        lines('N', op.from, op.to);
        break;
      case 'exec':
        if (op.output) {
          lines('C');
          sized(build(op.argv, execOptions(op)));
        } else if (hasOptions(op)) {
          lines('Y');
          sized(build(op.argv, execOptions(op)));
        } else lines('X', String(op.argv.length), ...op.argv);
        break;
      case 'guard': {
        const o: ExecOptions = {};
        if (op.user) o.user = op.user;
        if (op.cwd) o.cwd = op.cwd;
        lines('Q', String(op.onlyif.length), String(op.unless.length), String(op.creates.length));
        for (const cmd of [...op.onlyif, ...op.unless]) sized(build(['sh', '-c', cmd], o));
        lines(...op.creates);
        break;
      }
    }
  }
  lines('g');
}

// a command's words may hold secrets: an error names it without them
const opLabel = (op: HostOp): string =>
  op.op === 'exec'
    ? op.output || hasOptions(op)
      ? 'a command'
      : `\`${op.argv.join(' ')}\``
    : op.op === 'guard'
      ? 'the guards (onlyif/unless/creates)'
      : op.op === 'rename'
        ? `rename ${op.from} -> ${op.to}`
        : `${op.op} ${op.path}`;

function skipOf(l: string): GuardSkip {
  const [kind, index] = l.slice(2).split(' ');
  if (kind === 'onlyif') return { kind, index: Number(index) };
  return { kind: kind === 'unless' ? 'unless' : 'creates' };
}

/**
 * Results per group from the script's output; groups it did not reach failed. A command's answer
 * is timedOut when its timeout ended it (its own, else `defaultTimeoutMs`; endedByTimeout): exit 124.
 */
export function decodeOps(
  groups: HostOp[][],
  r: { exitCode: number; stdout: string | Buffer; stderr: string },
  defaultTimeoutMs = 0,
): HostOpsResult[] {
  const rd = new FramedReader(typeof r.stdout === 'string' ? Buffer.from(r.stdout) : r.stdout);
  const out: HostOpsResult[] = [];
  for (const g of groups) {
    const cmds = g.filter((op): op is Extract<HostOp, { op: 'exec' }> => op.op === 'exec' && !!op.output);
    const outputs: ExecAnswer[] = [];
    const withOutputs = () => (outputs.length ? { outputs } : {});
    let l = rd.line();
    while (l?.startsWith('C\t')) {
      // an answer cut short (its header or its bytes) is not one: the batch stopped there
      const [code, ms, nout, nerr, ...more] = integersOf(l.slice(2), '\t') ?? [];
      const stdout = nerr === undefined || more.length ? undefined : rd.bytes(nout!);
      const stderr = stdout && rd.bytes(nerr!);
      if (!stdout || !stderr) {
        l = undefined;
        break;
      }
      const op = cmds[outputs.length];
      const limit = op?.timeoutMs ?? defaultTimeoutMs;
      const late = endedByTimeout(code!, ms!, limit);
      outputs.push({
        argv: op?.argv ?? [],
        exitCode: late ? 124 : code!,
        stdout: stdout.toString('utf8'),
        stderr: stderr.toString('utf8'),
        durationMs: ms!,
        ...(late ? { timedOut: true } : {}),
      });
      l = rd.line();
    }
    if (l === 'K') {
      out.push({ ok: true, ...withOutputs() });
      continue;
    }
    if (l?.startsWith('S\t')) {
      out.push({ ok: true, ...withOutputs(), skipped: skipOf(l) });
      continue;
    }
    if (l?.startsWith('F\t')) {
      const op = g[Number(l.slice(2))] ?? g[0]!;
      // the script's last words may have lost their line end (a stream that ended there)
      const why = (rd.line() ?? rd.rest().toString('utf8')).trim() || 'failed';
      out.push({ ok: false, op, error: `${opLabel(op)}: ${why}`, ...withOutputs() });
      continue;
    }
    const why = r.stderr.trim().split('\n').slice(-2).join(' | ') || `exit ${r.exitCode}`;
    out.push({ ok: false, op: g[0]!, error: `the batch stopped before ${opLabel(g[0]!)}: ${why}`, ...withOutputs() });
    // the rest of the output is not trusted
    rd.rest();
  }
  return out;
}
