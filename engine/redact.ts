// Redaction of secrets from every output: text, JSON, markdown, logs, errors.
// The env/pillar code registers secret values; report and CLI pass everything through redact().
//
// A registered secret is hidden in the forms a template or a format may give it: as is, upper and
// lower case, JSON-escaped, YAML single-quoted, URL-encoded, HTML-escaped and base64; a multi-line
// secret (a key) also line by line, down to the short armour tail of a PGP block; and any piece of
// 12 characters or more of a long secret (a slice, a wrapped line) is hidden too: forms of 16
// characters or more are matched through those pieces (a set lookup per position of the text, not
// a regular expression of thousands of alternatives). Secrets under 8
// characters are hidden where they stand alone (not inside a longer word), so a short password
// does not eat ordinary words; under 3 characters nothing is registered.
import { PRIVATE_BLOCK, textHoldsSecret } from './env/secrets.js';
import { escapeRegExp } from './regex-escape.js';

export const REDACTED = '<redacted>';

/** Secrets shorter than this are not registered at all. */
const MIN_LENGTH = 3;
/** Shorter secrets are matched as whole words only. */
const MIN_SUBSTRING = 8;
/** Length of the pieces of long secrets that are hidden wherever they appear. */
const GRAM = 12;
/** Values under secret names that are not secrets. */
const NOT_SECRET = /^(true|false|yes|no|on|off|none|null|nil|changeme|invalid)$/i;
const MARKER = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;
/** One URL or one absolute path, nothing around it. */
const URL_OR_PATH = /^([a-z][a-z0-9+.-]*:\/\/|\/)\S*$/i;

const BASE = 0x01000193;
/** BASE ** (GRAM - 1) mod 2^32: the weight of the character that leaves the rolling hash. */
const TOP = Array.from({ length: GRAM - 1 }).reduce<number>((p) => Math.imul(p, BASE), 1);
/** Bits of the filter the scan tests a position's hash against before the set of hashes. */
const FILTER_BITS = 20;

/**
 * Polynomial hash (mod 2^32, as a signed 32-bit integer: a small integer to V8, no boxed number
 * per position) of the GRAM characters of s at i.
 */
function hashAt(s: string, i: number): number {
  let h = 0;
  for (let k = i; k < i + GRAM; k++) h = (Math.imul(h, BASE) + s.charCodeAt(k)) | 0;
  return h;
}

/** The hash of the GRAM characters after those hashed in h (at i), the one at i left out. */
function rollHash(h: number, s: string, i: number): number {
  return (Math.imul(h - Math.imul(s.charCodeAt(i), TOP), BASE) + s.charCodeAt(i + GRAM)) | 0;
}

/** The filter bit of a hash: its upper bits after a multiplicative mix. */
function filterBit(h: number): number {
  return Math.imul(h, 0x9e3779b1) >>> (32 - FILTER_BITS);
}

/** The forms a template or an output format may give a secret. */
function variants(s: string): string[] {
  const out = [
    s,
    s.toUpperCase(),
    s.toLowerCase(),
    JSON.stringify(s).slice(1, -1),
    s.replace(/'/g, "''"),
    Buffer.from(s).toString('base64'),
  ];
  try {
    out.push(encodeURIComponent(s));
  } catch {
    // lone surrogates: no URL form
  }
  out.push(
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  );
  return out;
}

export class Redactor {
  /** Matched anywhere. */
  private readonly secrets = new Set<string>();
  /** Short ones, matched as whole words. */
  private readonly words = new Set<string>();
  /** Long forms hidden through their GRAM-long pieces. */
  private readonly gramForms: string[] = [];
  /** The pieces themselves: made when a text's hash first matches one (most texts hold none). */
  private grams: Set<string> | null = null;
  /** Rolling hashes of the grams: the scan hashes each position of a text instead of slicing it. */
  private readonly gramHashes = new Set<number>();
  /** A bit per filterBit() of the grams' hashes: most positions of a text stop at this test. */
  private readonly gramFilter = new Uint32Array(1 << (FILTER_BITS - 5));
  private readonly seen = new Set<string>();
  /** The secrets matched anywhere, longest first (the order a match at one position prefers). */
  private long: string[] | null = null;
  /** The short ones as whole words, longest first. */
  private pattern: RegExp | null = null;

  /** Registers a secret value (and its derived forms). Values under 3 characters are ignored. */
  add(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value).trim();
    if (s.length < MIN_LENGTH || NOT_SECRET.test(s) || this.seen.has(s)) return;
    this.seen.add(s);
    // a URL or a path is matched whole in every form: pieces of its URL-encoded or base64 form
    // would be its host and path (`.example.org`), which other text shares
    const whole = URL_OR_PATH.test(s);
    for (const v of variants(s)) this.addForm(v, whole);
    // Multi-line secrets (keys) are also hidden line by line, so a diff or an error that shows
    // part of one never leaks its body, its checksum or its armour tail (the lines as they are:
    // a key's base64 lines have no other form a template would print).
    const lines = s.split(/\r?\n/);
    if (lines.length > 1) {
      for (const line of lines) {
        const t = line.trim();
        if (t.length < MIN_LENGTH || MARKER.test(t) || this.seen.has(t)) continue;
        this.seen.add(t);
        this.addForm(t);
      }
    }
    this.long = null;
    this.pattern = null;
  }

  /**
   * Long forms without blanks are hidden through their pieces (every character of the form lies
   * in one, and so does every slice of it); the others, and every form of a URL or a path, are
   * matched whole.
   */
  private addForm(v: string, whole = false): void {
    if (v.length < MIN_LENGTH) return;
    if (v.length < MIN_SUBSTRING) this.words.add(v);
    else if (whole || v.length < 16 || /\s/.test(v) || v.startsWith('/') || v.includes('://')) this.secrets.add(v);
    else {
      this.gramForms.push(v);
      this.grams = null;
      let h = hashAt(v, 0);
      for (let i = 0; ; i++) {
        this.gramHashes.add(h);
        const bit = filterBit(h);
        this.gramFilter[bit >>> 5]! |= 1 << (bit & 31);
        if (i + GRAM >= v.length) break;
        h = rollHash(h, v, i);
      }
    }
  }

  get size(): number {
    return this.secrets.size + this.words.size + this.gramHashes.size;
  }

  private longest(): string[] {
    this.long ??= [...this.secrets].sort((a, b) => b.length - a.length);
    return this.long;
  }

  private words_(): RegExp | null {
    if (!this.pattern && this.words.size) {
      const short = [...this.words]
        .sort((a, b) => b.length - a.length)
        .map((w) => `(?<![A-Za-z0-9])${escapeRegExp(w)}(?![A-Za-z0-9])`);
      this.pattern = new RegExp(short.join('|'), 'g');
    }
    return this.pattern;
  }

  /**
   * [start, end) spans of the registered secrets and words in text, as one regular expression
   * of them all, the secrets longest first, then the words, would match them left to right (the
   * leftmost match; at one position the first alternative): the secrets are found with indexOf,
   * so no expression of thousands of characters is compiled.
   */
  private wholeSpans(text: string): Array<[number, number]> {
    const all = this.longest();
    // a secret longer than the text is not in it (most texts are short: names, ids, lines)
    let from = 0;
    while (from < all.length && all[from]!.length > text.length) from++;
    const long: string[] = [];
    const next: number[] = [];
    for (let k = from; k < all.length; k++) {
      const at = text.indexOf(all[k]!);
      if (at >= 0) {
        long.push(all[k]!);
        next.push(at);
      }
    }
    const words = this.words_();
    const spans: Array<[number, number]> = [];
    if (!long.length && !words) return spans;
    let word: RegExpExecArray | null = null;
    let wordFrom = -1;
    for (let pos = 0; ; ) {
      let start = Number.POSITIVE_INFINITY;
      let len = 0;
      for (let k = 0; k < long.length; k++) {
        if (next[k]! >= 0 && next[k]! < pos) next[k] = text.indexOf(long[k]!, pos);
        if (next[k]! >= 0 && next[k]! < start) {
          start = next[k]!;
          len = long[k]!.length;
        }
      }
      if (words && (wordFrom < 0 || (word && word.index < pos))) {
        words.lastIndex = pos;
        word = words.exec(text);
        wordFrom = pos;
      }
      if (word && word.index < start) {
        start = word.index;
        len = word[0].length;
      }
      if (!len) return spans;
      spans.push([start, start + len]);
      pos = start + len;
    }
  }

  private pieces(): Set<string> {
    if (!this.grams) {
      this.grams = new Set();
      for (const v of this.gramForms) for (let i = 0; i + GRAM <= v.length; i++) this.grams.add(v.slice(i, i + GRAM));
    }
    return this.grams;
  }

  /** Calls hit with the start of each gram in text (a rolling hash per position); true stops. */
  private gramHits(text: string, hit: (i: number) => boolean | undefined): void {
    if (!this.gramForms.length || text.length < GRAM) return;
    const filter = this.gramFilter;
    const last = text.length - GRAM;
    let h = hashAt(text, 0);
    for (let i = 0; ; i++) {
      // filterBit() and rollHash() written out: this loop runs once per character of every output
      const bit = Math.imul(h, 0x9e3779b1) >>> (32 - FILTER_BITS);
      if (
        filter[bit >>> 5]! & (1 << (bit & 31)) &&
        this.gramHashes.has(h) &&
        this.pieces().has(text.slice(i, i + GRAM)) &&
        hit(i)
      ) {
        return;
      }
      if (i >= last) return;
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), TOP), BASE) + text.charCodeAt(i + GRAM)) | 0;
    }
  }

  /** [start, end) spans of text covered by pieces of long secrets. */
  private gramSpans(text: string): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    this.gramHits(text, (i) => {
      const last = spans[spans.length - 1];
      if (last && i <= last[1]) last[1] = i + GRAM;
      else spans.push([i, i + GRAM]);
      return false;
    });
    return spans;
  }

  redact(text: string): string {
    if (!text) return text;
    const out = replaceSpans(text, this.wholeSpans(text));
    return replaceSpans(out, this.gramSpans(out));
  }

  /**
   * Whether a text holds a secret: a registered one (in any of its forms, or a piece of one), or
   * one that looks like a secret without being known (a private key block, a secret-named
   * assignment, a URL with a password: old contents may hold secrets of an env no longer in use).
   */
  holdsSecret(text: string): boolean {
    if (!text) return false;
    if (PRIVATE_BLOCK.test(text) || textHoldsSecret(text)) return true;
    if (this.longest().some((s) => text.includes(s))) return true;
    const words = this.words_();
    if (words) {
      words.lastIndex = 0;
      const hit = words.test(text);
      words.lastIndex = 0;
      if (hit) return true;
    }
    let found = false;
    this.gramHits(text, () => (found = true));
    return found;
  }

  /** Redacts every string inside a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object' && !(value instanceof Buffer)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactDeep(v);
      return out as T;
    }
    return value;
  }
}

/** text with each [start, end) span (in order, not overlapping) replaced by REDACTED. */
function replaceSpans(text: string, spans: Array<[number, number]>): string {
  if (!spans.length) return text;
  let r = '';
  let at = 0;
  for (const [a, b] of spans) {
    r += text.slice(at, a) + REDACTED;
    at = b;
  }
  return r + text.slice(at);
}
