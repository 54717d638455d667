// Host.applyOps over SSH: groups of changes made by ONE sh script on ONE exec channel (as root,
// or under `sudo -n` for a non-root login, like every other command). The ops and the contents of
// the files they write travel in the channel's stdin: a line per field, then a file's bytes, read
// with `dd iflag=fullblock` (exactly its size, never more). Writes keep writeFileAtomic's
// guarantees: a temp file `.NAME.brine-XXXX` in the same directory, created no wider than the
// final mode, owner and mode set before the data, the data fsynced, then renamed over the target
// (a crash leaves the old file or the new one, and a temp file the next run sweeps). A run of groups
// of mkdirs and writes goes as one `B` record instead: its files in one tar (ssh-ops-tar.ts).
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { HostOp, HostOpsResult } from './host.js';
import { encodeTarRun, TAR_FROM, TAR_RUN_SCRIPT, tarRun } from './ssh-ops-tar.js';

// stdout: per group `K` (done) or `F<TAB>index` and a line of the failing command's stderr; `END`.
// (`true > "$t"`, not `: > "$t"`: a redirection that fails on a special built-in ends sh.)
const SCRIPT = `set -C
W=$(mktemp -d) || exit 125
trap 'rm -rf -- "$W"' EXIT
E=$W/e
: >"$E"
skip=0 i=0
disc() { [ "$1" -gt 0 ] && dd bs="$1" count=1 iflag=fullblock status=none of=/dev/null; return 0; }
fail() { printf 'F\\t%s\\n' "$i"; tr '\\n' ' ' < "$E"; echo; skip=1; }
w() {
  p=$1 u=$2 x=$3 o=$4 g=$5 n=$6 t=$7 ex=
  [ -e "$p" ] && ex=1
  if [ -z "$u" ]; then if [ -n "$ex" ]; then u=077; else u=022; fi; fi
  umask "$u"
  if ! { true > "$t"; } 2>>"$E"; then disc "$n"; return 1; fi
  if ! {
    { [ -z "$ex" ] || chown --reference="$p" -- "$t"; } &&
    { [ -z "$o$g" ] || chown -- "$o\${g:+:$g}" "$t"; } &&
    { [ -z "$x" ] || chmod -- "$x" "$t"; } &&
    { [ -n "$2" ] || [ -z "$ex" ] || chmod --reference="$p" -- "$t"; }
  } 2>>"$E"; then disc "$n"; rm -f -- "$t"; return 1; fi
  if [ "$n" -gt 0 ] && ! dd bs="$n" count=1 iflag=fullblock status=none conv=fsync,notrunc of="$t" 2>>"$E"; then
    rm -f -- "$t"; return 1
  fi
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
  while [ "$n" -gt 0 ]; do IFS= read -r a; set -- "$@" "$a"; n=$((n - 1)); done
  [ "$skip" = 1 ] && return 0
  umask 022
  "$@" </dev/null >/dev/null 2>>"$E"
}
while IFS= read -r op; do
  case $op in
  G) skip=0 i=0; : >| "$E" ;;
  g) [ "$skip" = 1 ] || echo K ;;
  W) IFS= read -r p; IFS= read -r u; IFS= read -r xm; IFS= read -r o; IFS= read -r g; IFS= read -r n; IFS= read -r t
     if [ "$skip" = 1 ]; then disc "$n"; else w "$p" "$u" "$xm" "$o" "$g" "$n" "$t" || fail; fi; i=$((i + 1)) ;;
  M) IFS= read -r p; IFS= read -r u; IFS= read -r r
     [ "$skip" = 1 ] || mk "$p" "$u" "$r" || fail; i=$((i + 1)) ;;
  R) IFS= read -r p; IFS= read -r r
     [ "$skip" = 1 ] || rmv "$p" "$r" || fail; i=$((i + 1)) ;;
  N) IFS= read -r a; IFS= read -r b
     [ "$skip" = 1 ] || mv -fT -- "$a" "$b" 2>>"$E" || fail; i=$((i + 1)) ;;
  X) IFS= read -r c; x "$c" || fail; i=$((i + 1)) ;;
  B) IFS= read -r c; j=0
     while [ "$j" -lt "$c" ]; do IFS= read -r a; printf '%s\\n' "$a"; j=$((j + 1)); done >|"$W/l"
     IFS= read -r c; bt "$c" ;;
  *) echo "bad op: $op" >&2; exit 3 ;;
  esac
done
echo END`;

/** The command's argv (run through buildCommand like any other). */
export const OPS_ARGV = ['sh', '-c', `${TAR_RUN_SCRIPT}\n${SCRIPT}`, 'brine-ops'];

const octal = (n: number) => n.toString(8).padStart(4, '0');

/** Why an op cannot travel in the stream (a field on more than one line): then it is not batched. */
export function opUnfit(op: HostOp): string | undefined {
  const fields =
    op.op === 'exec'
      ? op.argv
      : op.op === 'rename'
        ? [op.from, op.to]
        : op.op === 'write'
          ? [op.path, op.owner ?? '', op.group ?? '']
          : [op.path];
  return fields.some((f) => /[\n\r]/.test(f)) ? 'a newline in a field' : undefined;
}

/** stdin of the script for these groups; a run of at least `tarFrom` writes (or of mkdirs only) goes by tar. */
export function encodeOps(groups: HostOp[][], o: { tarFrom?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  const lines = (...ls: string[]) => parts.push(Buffer.from(ls.map((l) => `${l}\n`).join('')));
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
    encodeGroup(groups[at]!, lines, parts);
    at++;
  }
  return Buffer.concat(parts);
}

function encodeGroup(g: HostOp[], lines: (...ls: string[]) => void, parts: Buffer[]): void {
  lines('G');
  for (const op of g) {
    switch (op.op) {
      case 'write': {
        const m = op.mode;
        // created with the mode's rw bits (never wider); x and special bits by chmod after chown
        const u = m === undefined ? '' : octal(~m & 0o777 & 0o777);
        const x = m !== undefined && m & 0o7111 ? octal(m) : '';
        const tmp = posix.join(
          posix.dirname(op.path),
          `.${posix.basename(op.path)}.brine-${randomBytes(6).toString('hex')}`,
        );
        lines('W', op.path, u, x, op.owner ?? '', op.group ?? '', String(op.data.length), tmp);
        parts.push(op.data);
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
        lines('X', String(op.argv.length), ...op.argv);
        break;
    }
  }
  lines('g');
}

const opLabel = (op: HostOp): string =>
  op.op === 'exec'
    ? `\`${op.argv.join(' ')}\``
    : op.op === 'rename'
      ? `rename ${op.from} -> ${op.to}`
      : `${op.op} ${op.path}`;

/** Results per group from the script's output; groups it did not reach failed. */
export function decodeOps(
  groups: HostOp[][],
  r: { exitCode: number; stdout: string; stderr: string },
): HostOpsResult[] {
  const lines = r.stdout.split('\n');
  const out: HostOpsResult[] = [];
  let i = 0;
  for (const g of groups) {
    const l = lines[i++];
    if (l === 'K') {
      out.push({ ok: true });
      continue;
    }
    if (l?.startsWith('F\t')) {
      const op = g[Number(l.slice(2))] ?? g[0]!;
      const why = (lines[i++] ?? '').trim() || 'failed';
      out.push({ ok: false, op, error: `${opLabel(op)}: ${why}` });
      continue;
    }
    i--;
    const why = r.stderr.trim().split('\n').slice(-2).join(' | ') || `exit ${r.exitCode}`;
    out.push({ ok: false, op: g[0]!, error: `the batch stopped before ${opLabel(g[0]!)}: ${why}` });
  }
  return out;
}
