// Maps lines of rendered template output back to lines of the template source, so that a state
// declared on source line 12 is reported at line 12 even when `{% %}` lines above it vanished or a
// loop repeated lines. Unchanged lines are aligned by a diff; lines a template produced are
// matched to the source line whose literal parts they contain.
import { diffArrays } from 'diff';
import { escapeRegExp } from '../regex-escape.js';

/** Source lines that produce no output line of their own (only tags/comments). */
const TAG_ONLY = /^\s*(?:(?:\{%.*?%\}|\{#.*?#\})\s*)+$/;

const patternCache = new Map<string, RegExp | null>();

function linePattern(src: string): RegExp | null {
  if (!src.includes('{{')) return null;
  const hit = patternCache.get(src);
  if (hit !== undefined) return hit;
  const re = buildPattern(src);
  if (patternCache.size > 5000) patternCache.clear();
  patternCache.set(src, re);
  return re;
}

function buildPattern(src: string): RegExp | null {
  const parts = src.trim().split(/\{\{.*?\}\}|\{%.*?%\}/);
  const re = parts.map(escapeRegExp).join('.*');
  return new RegExp(`^\\s*${re}\\s*$`);
}

function findBack(src: string[], before: number, line: string): number {
  const text = line.trim();
  if (!text) return -1;
  for (let j = Math.min(before, src.length) - 1; j >= 0; j--) {
    const s = src[j]!;
    if (TAG_ONLY.test(s)) continue;
    if (s.trim() === text) return j;
    const pat = linePattern(s);
    if (pat && pat.test(line)) return j;
  }
  return -1;
}

/** A function from a 1-based rendered line to a 1-based source line. */
export function lineMap(source: string, rendered: string): (line: number) => number {
  if (source === rendered) return (n) => n;
  const all = source.split('\n').map((l) => l.trimEnd());
  // Lines that cannot produce output: blank lines eaten by a following `{%-` (Jinja's whitespace
  // control strips them with the newline) and such a tag-only line itself. Left in, they made
  // the diff align the next lines one too early.
  const gone = new Set<number>();
  for (let i = 0; i < all.length; i++) {
    if (!/^\s*\{[%#]-/.test(all[i]!)) continue;
    if (TAG_ONLY.test(all[i]!)) gone.add(i);
    for (let j = i - 1; j >= 0 && all[j]!.trim() === ''; j--) gone.add(j);
  }
  const orig = all.map((_, i) => i).filter((i) => !gone.has(i));
  const src = orig.map((i) => all[i]!);
  const toSource = (n: number) => (n >= 1 && n <= orig.length ? orig[n - 1]! + 1 : n);
  const out = rendered.split('\n').map((l) => l.trimEnd());
  const map: number[] = new Array(out.length).fill(0);
  let si = 0;
  let oi = 0;
  let gapSrc: number[] = [];
  let gapOut: number[] = [];
  let lastSrc = 0;
  const flush = () => {
    const cands = gapSrc.filter((s) => !TAG_ONLY.test(src[s]!) && src[s] !== '');
    if (cands.length && cands.length === gapOut.length) {
      gapOut.forEach((o, k) => (map[o] = cands[k]! + 1));
    } else {
      let k = 0;
      for (const o of gapOut) {
        let hit = -1;
        for (let j = k; j < cands.length; j++) {
          const pat = linePattern(src[cands[j]!]!);
          if ((pat && pat.test(out[o]!)) || src[cands[j]!]!.trim() === out[o]!.trim()) {
            hit = j;
            break;
          }
        }
        if (hit < 0) {
          // a loop repeats lines: the nearest earlier source line with the same literal text
          const back = findBack(src, gapSrc[0] ?? si, out[o]!);
          if (back >= 0) {
            map[o] = back + 1;
            continue;
          }
        }
        if (hit >= 0) {
          map[o] = cands[hit]! + 1;
          k = hit;
        } else map[o] = (cands[k] ?? gapSrc[0] ?? lastSrc) + 1;
      }
    }
    if (gapSrc.length) lastSrc = gapSrc[gapSrc.length - 1]!;
    gapSrc = [];
    gapOut = [];
  };
  for (const c of diffArrays(src, out)) {
    const n = c.count ?? c.value.length;
    if (c.added) for (let k = 0; k < n; k++) gapOut.push(oi++);
    else if (c.removed) for (let k = 0; k < n; k++) gapSrc.push(si++);
    else {
      flush();
      for (let k = 0; k < n; k++) {
        map[oi++] = si + 1;
        lastSrc = si++;
      }
    }
  }
  flush();
  return (n) => toSource(map[n - 1] || Math.min(n, src.length));
}
