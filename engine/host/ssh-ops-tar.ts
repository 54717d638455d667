// A run of op groups made only of mkdirs and writes (the files of a wave) travels as ONE `B` record
// in the op stream (ssh-ops.ts): the groups' ops, then every file in one tar that ONE `tar -x`
// unpacks, instead of a `dd` and an `mv` per file. Each file is staged in a directory of its own
// next to its target, `DIR/.brine-stage-HEX/NAME` (0700, the data fsynced by one `sync`), its owner
// and mode set there, then renamed over `DIR/NAME`: a reader
// sees the old file or the new one, a crash leaves a staging directory the next run's temp sweep
// removes (temp-cleanup.ts). The k-th staging directory of every directory has one name, so ONE
// `rename.ul /.brine-stage-HEX/ / FILES` (util-linux, rename(2) per file) renames a record's files in
// all their directories; without rename.ul, one `mv -f -t DIR` per directory. The recursive mkdirs of
// consecutive groups share one `mkdir -p`.
// Results per group, in order, as the rest of the stream gives them: `K`, or `F<TAB>index` and the
// failing step's stderr on one line.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { HostOp } from './host.js';
import { type TarFile, tarPack } from './tar-pack.js';

/** Writes a run needs to go by tar (fewer: a dd and an mv per file cost less than tar's fixed 3 processes). */
export const TAR_FROM = 3;
/** Bounds of one B record: its paths go to sync, mv and rm as arguments. */
const MAX_FILES = 400;
const MAX_PATH_BYTES = 96 * 1024;

/** The staging directories' names (the temp sweep's pattern, anchored on the whole path). */
export const STAGE_REGEX = String.raw`.*/\.brine-stage-[0-9a-f]{12}`;

const octal = (n: number) => n.toString(8).padStart(4, '0');

/** An absolute path tar stores as it is (no empty, `.` or `..` component). */
const plainPath = (p: string) =>
  p.startsWith('/') &&
  p.length > 1 &&
  !p
    .slice(1)
    .split('/')
    .some((c) => c === '' || c === '.' || c === '..');

/** Mkdirs first, then writes, nothing else. */
export function tarFit(g: HostOp[]): boolean {
  let writing = false;
  for (const op of g) {
    if (op.op === 'mkdir' && !writing) continue;
    if (op.op !== 'write' || !plainPath(op.path)) return false;
    writing = true;
  }
  return g.length > 0;
}

const writesOf = (g: HostOp[]) => g.filter((op) => op.op === 'write').length;

/** Splits groups[from..] into the next run that fits one B record: [end, writes]. */
export function tarRun(groups: HostOp[][], from: number): [number, number] {
  let end = from;
  let files = 0;
  let bytes = 0;
  while (end < groups.length && tarFit(groups[end]!)) {
    const g = groups[end]!;
    const w = writesOf(g);
    const b = g.reduce((n, op) => n + (op.op === 'write' ? 2 * op.path.length + 40 : 0), 0);
    if (end > from && (files + w > MAX_FILES || bytes + b > MAX_PATH_BYTES)) break;
    files += w;
    bytes += b;
    end++;
  }
  return [end, files];
}

/**
 * The B record of these groups: `B`, the count of record lines, the lines (per group `G` then its
 * ops; per staging directory `R`), the tar's size, the tar.
 */
export function encodeTarRun(groups: HostOp[][]): Buffer {
  const lines: string[] = [];
  const files: TarFile[] = [];
  // per target directory, its staging directories and the names each holds; the k-th staging
  // directory of every directory has the same name (one rename.ul renames them all)
  const stages = new Map<string, { sd: string; names: Set<string>; moves: string[] }[]>();
  const names: string[] = [];
  const stageFor = (dir: string, name: string) => {
    const list = stages.get(dir) ?? [];
    stages.set(dir, list);
    let s = list.find((x) => !x.names.has(name));
    if (!s) {
      names[list.length] ??= `.brine-stage-${randomBytes(6).toString('hex')}`;
      s = { sd: `${dir === '/' ? '' : dir}/${names[list.length]}`, names: new Set(), moves: [] };
      list.push(s);
    }
    s.names.add(name);
    return s;
  };
  groups.forEach((g, gi) => {
    lines.push('G');
    const lone = writesOf(g) === 1;
    g.forEach((op, i) => {
      if (op.op === 'mkdir') {
        lines.push('M', op.path, octal(~(op.mode ?? 0o755) & 0o777), op.recursive ? '1' : '0');
        return;
      }
      if (op.op !== 'write') throw new Error(`cannot stage ${op.op}`);
      const dir = posix.dirname(op.path);
      const name = posix.basename(op.path);
      const s = stageFor(dir, name);
      const staged = `${s.sd}/${name}`;
      const m = op.mode;
      // tar sets the mode exactly; a chown afterwards clears setuid/setgid, so they are set again
      const x = m !== undefined && m & 0o7000 ? octal(m & 0o7777) : '';
      lines.push('S', op.path, staged, x, op.owner ?? '', op.group ?? '', m === undefined ? '1' : '');
      lines.push(String(op.data.length), lone ? '1' : '');
      // the group's one write is renamed with the others of its directory, after every group's fixes
      if (lone) s.moves.push(String(gi + 1), String(i), name);
      files.push({ name: `.${staged}`, data: op.data, mode: m ?? 0o644 });
    });
  });
  // by staging name: the script renames each name's files at once
  names.forEach((_, k) => {
    for (const [dir, list] of stages) {
      const s = list[k];
      if (s) lines.push('R', dir, s.sd, String(s.moves.length / 3), ...s.moves);
    }
  });
  // smallest first: when the file system fills up, the files that fit land before a big one fails (the
  // rest of a failed file stays on the disk until tar ends, and would fail every file after it)
  files.sort((a, b) => a.data.length - b.data.length);
  const tar = files.length ? tarPack(files) : Buffer.alloc(0);
  const body = Buffer.from(lines.map((l) => `.${l}\n`).join(''));
  const head = Buffer.from(`B\n${lines.length}\n${body.length}\n`);
  return Buffer.concat([head, body, Buffer.from(`${tar.length}\n`), tar]);
}

// The sh side (part of ssh-ops.ts's script; $W is its temp directory, disc() skips n bytes of stdin).
// Per group gi: x<gi> the failed op's index (empty: fine), y<gi> the message. The record's lines
// are read once into L1..L<LN> (lb; a long record by one \`head -c\` and split at its newlines, each
// line starting with \`.\` so none is empty), then walked by nx as often as needed: sh's \`read\`
// takes a byte per system call, and four passes over a file cost a first apply ~40,000 of them.
export const TAR_RUN_SCRIPT = `msg() { m=; while IFS= read -r l || [ -n "$l" ]; do m="$m$l "; done <"$1"; }
failed() { eval "[ -n \\"\\$x$1\\" ]"; }
fl() { failed "$1" && return 0; msg "$3"; eval "x$1=\\$2 y$1=\\$m"; }
lb() {
  LN=0 lc=$1
  if [ "$2" -gt 2048 ]; then
    set -f
    IFS='
'
    set -- $(head -c "$2")
    unset IFS
    set +f
    for a; do LN=$((LN + 1)); eval "L$LN=\\$a"; done
  else
    while [ "$LN" -lt "$lc" ]; do IFS= read -r a || exit 3; LN=$((LN + 1)); eval "L$LN=\\$a"; done
  fi
  [ "$LN" = "$lc" ] || { echo "bad record: $LN of $lc lines" >&2; exit 3; }
}
nx() { [ "$LJ" -lt "$LN" ] || return 1; LJ=$((LJ + 1)); eval "$1=\\\${L$LJ#.}"; }
rec() {
  nx t || return 1
  case $t in
  M) nx p; nx u; nx r ;;
  S) nx p; nx s; nx xm; nx o; nx g; nx k; nx z; nx d ;;
  R) return 1 ;;
  esac
}
mkf() {
  [ $# -gt 0 ] || return 0
  umask "$qu"
  mkdir -p -- "$@" 2>/dev/null && return 0
  for p; do
    IFS= read -r qg <&3; IFS= read -r qi <&3
    [ -d "$p" ] || mkdir -p -- "$p" 2>|"$W/t" || fl "$qg" "$qi" "$W/t"
  done 3<"$W/q"
}
fix() {
  ex= c=
  [ -e "$p" ] && ex=1
  if [ -n "$ex" ] && ! { [ -O "$p" ] && [ -G "$p" ] && [ -G "$s" ]; }; then
    chown --reference="$p" -- "$s" || return 1
    c=1
  fi
  if [ -n "$o$g" ]; then chown -- "$o\${g:+:$g}" "$s" || return 1; c=1; fi
  if [ -n "$c" ] && [ -n "$xm" ]; then chmod -- "$xm" "$s" || return 1; fi
  if [ -n "$k" ] && [ -n "$ex" ]; then chmod --reference="$p" -- "$s" || return 1; fi
  return 0
}
bt() {
  n=$1 gi=0 qg= qu=
  : >|"$W/q"
  set --
  LJ=0
  while rec; do
    case $t in
    G) gi=$((gi + 1)) i=0; eval "x$gi= y$gi=" ;;
    M) if ! failed $gi && ! { [ "$r" = 1 ] && [ -d "$p" ]; }; then
         if [ "$r" = 1 ] && [ "$qg" != "$gi" ] && { [ $# = 0 ] || [ "$qu" = "$u" ]; }; then
           set -- "$@" "$p"
           printf '%s\\n%s\\n' "$gi" "$i" >>"$W/q"
           qg=$gi qu=$u
         else
           mkf "$@"
           set --
           : >|"$W/q"
           qg=
           if ! failed $gi; then
             umask "$u"
             if [ "$r" = 1 ]; then mkdir -p -- "$p" 2>|"$W/t"; else mkdir -- "$p" 2>|"$W/t"; fi || fl $gi $i "$W/t"
           fi
         fi
       fi
       i=$((i + 1)) ;;
    S) i=$((i + 1)) ;;
    esac
  done
  mkf "$@"
  # the files to unpack: their group stands and their directory exists
  : >|"$W/s"
  : >|"$W/z"
  set --
  gi=0 LJ=0
  while rec; do
    case $t in
    G) gi=$((gi + 1)) i=0 ;;
    M) i=$((i + 1)) ;;
    S) if ! failed $gi; then
         if [ -d "\${p%/*}/" ]; then
           printf './%s\\n' "\${s#/}" >>"$W/s"
           set -- "$@" "$s"
         else
           printf '%s: No such file or directory\\n' "\${p%/*}" >|"$W/t"
           fl $gi $i "$W/t"
         fi
       fi
       i=$((i + 1)) ;;
    esac
  done
  if [ $# = 0 ]; then
    disc "$n"
  else
    umask 077
    # the names in the tar's pax headers are UTF-8: tar converts them to the session's charset (a
    # Latin-1 LC_ALL from pam_env wins over brine's LANG), so it runs in a UTF-8 locale to keep them as spelt
    if head -c "$n" | LC_ALL=C.UTF-8 tar -x -p -m --no-same-owner -C / -f - --no-unquote -T "$W/s" 2>|"$W/z"; then
      sync -- "$@" 2>|"$W/z" || rm -f -- "$@"
    else
      # what tar did not write whole is removed: its group fails with tar's message
      stat -c '%s %n' -- "$@" >|"$W/t" 2>/dev/null
      have=
      while IFS= read -r l; do have="$have/$l//"; done <"$W/t"
      set --
      LJ=0
      while rec; do
        [ "$t" = S ] || continue
        case $have in *"/$z $s//"*) set -- "$@" "$s" ;; *) rm -f -- "$s" ;; esac
      done
      [ $# = 0 ] || sync -- "$@" 2>>"$W/z" || rm -f -- "$@"
    fi
  fi
  # owners and modes; a group's writes when it has more than one are renamed at once, in order
  gi=0 LJ=0
  while rec; do
    case $t in
    G) gi=$((gi + 1)) i=0 ;;
    M) i=$((i + 1)) ;;
    S) if ! failed $gi; then
         if [ ! -f "$s" ]; then
           : >|"$W/t"
           # tar's lines on the file and on its staging directory (which a read-only fs refuses)
           sd=\${s%/*}
           while IFS= read -r l; do
             case $l in
             *"./\${s#/}: Wrote only "*) printf '%s: No space left on device (or quota)\\n' "$l" >>"$W/t" ;;
             *"./\${s#/}:"* | *"./\${sd#/}: "*) printf '%s\\n' "$l" >>"$W/t" ;;
             esac
           done <"$W/z"
           [ -s "$W/t" ] || { printf 'could not write %s: ' "$s"; cat "$W/z"; } >>"$W/t"
           fl $gi $i "$W/t"
         elif ! fix 2>|"$W/t"; then
           fl $gi $i "$W/t"
         elif [ -z "$d" ]; then
           mv -fT -- "$s" "$p" 2>|"$W/t" || fl $gi $i "$W/t"
         fi
       fi
       i=$((i + 1)) ;;
    esac
  done
  # the lone writes of groups: one rename.ul per staging name (every directory's k-th staging
  # directory has the same name), else one mv per directory; after a failure, file by file
  sds= LJ=0 bad= ren= base=
  command -v rename.ul >/dev/null 2>&1 && ren=1
  while rec; do :; done
  set --
  while [ "$t" = R ]; do
    nx dir; nx sd; [ -d "$sd" ] && sds="$sds $LJ"; nx c
    if [ -n "$ren" ] && [ "\${sd##*/}" != "$base" ] && [ $# -gt 0 ]; then
      rename.ul -- "/$base/" / "$@" 2>/dev/null || bad=1
      set --
    fi
    base=\${sd##*/} j=0
    while [ $j -lt "$c" ]; do
      nx mg; nx mi; nx nm; j=$((j + 1))
      failed "$mg" || set -- "$@" "$sd/$nm"
    done
    if [ -z "$ren" ] && [ $# -gt 0 ]; then
      mv -f -t "$dir" -- "$@" 2>/dev/null || bad=1
      set --
    fi
    nx t || t=
  done
  [ $# = 0 ] || rename.ul -- "/$base/" / "$@" 2>/dev/null || bad=1
  if [ -n "$bad" ]; then
    LJ=0
    while rec; do :; done
    while [ "$t" = R ]; do
      nx dir; nx sd; nx c; j=0
      while [ $j -lt "$c" ]; do
        nx mg; nx mi; nx nm; j=$((j + 1))
        failed "$mg" || [ ! -e "$sd/$nm" ] || mv -fT -- "$sd/$nm" "\${dir%/}/$nm" 2>|"$W/t" || fl "$mg" "$mi" "$W/t"
      done
      nx t || t=
    done
  fi
  set --
  for j in $sds; do eval "set -- \\"\\$@\\" \\"\\\${L$j#.}\\""; done
  [ $# = 0 ] || rm -rf -- "$@"
  j=1
  while [ $j -le $gi ]; do
    eval "x=\\$x$j y=\\$y$j"
    if [ -z "$x" ]; then echo K; else printf 'F\\t%s\\n%s\\n' "$x" "$y"; fi
    j=$((j + 1))
  done
}`;
