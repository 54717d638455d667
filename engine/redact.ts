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
const TOP = Array.from({ length: GRAM - 1 }).reduce<number>((p) => Math.imul(p, BASE) >>> 0, 1);

/** Polynomial hash (mod 2^32) of the GRAM characters of s at i. */
function hashAt(s: string, i: number): number {
  let h = 0;
  for (let k = i; k < i + GRAM; k++) h = (Math.imul(h, BASE) + s.charCodeAt(k)) >>> 0;
  return h;
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
  /** GRAM-long pieces of long secrets. */
  private readonly grams = new Set<string>();
  /** Rolling hashes of the grams: the scan hashes each position of a text instead of slicing it. */
  private readonly gramHashes = new Set<number>();
  private readonly seen = new Set<string>();
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
      for (let i = 0; i + GRAM <= v.length; i++) {
        const g = v.slice(i, i + GRAM);
        this.grams.add(g);
        this.gramHashes.add(hashAt(g, 0));
      }
    }
  }

  get size(): number {
    return this.secrets.size + this.words.size + this.grams.size;
  }

  private regex(): RegExp | null {
    if (!this.pattern && this.secrets.size + this.words.size) {
      const long = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      const short = [...this.words]
        .sort((a, b) => b.length - a.length)
        .map((w) => `(?<![A-Za-z0-9])${escapeRegExp(w)}(?![A-Za-z0-9])`);
      this.pattern = new RegExp([...long, ...short].join('|'), 'g');
    }
    return this.pattern;
  }

  /** Start positions of grams in text: a rolling hash per position, a slice only on a hash hit. */
  private *gramHits(text: string): Generator<number> {
    if (!this.grams.size || text.length < GRAM) return;
    let h = hashAt(text, 0);
    for (let i = 0; ; i++) {
      if (this.gramHashes.has(h) && this.grams.has(text.slice(i, i + GRAM))) yield i;
      if (i + GRAM >= text.length) return;
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), TOP), BASE) + text.charCodeAt(i + GRAM)) >>> 0;
    }
  }

  /** [start, end) spans of text covered by pieces of long secrets. */
  private gramSpans(text: string): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    for (const i of this.gramHits(text)) {
      const last = spans[spans.length - 1];
      if (last && i <= last[1]) last[1] = i + GRAM;
      else spans.push([i, i + GRAM]);
    }
    return spans;
  }

  redact(text: string): string {
    if (!text) return text;
    const re = this.regex();
    let out = re ? text.replace(re, REDACTED) : text;
    const spans = this.gramSpans(out);
    if (spans.length) {
      let r = '';
      let at = 0;
      for (const [a, b] of spans) {
        r += out.slice(at, a) + REDACTED;
        at = b;
      }
      out = r + out.slice(at);
    }
    return out;
  }

  /**
   * Whether a text holds a secret: a registered one (in any of its forms, or a piece of one), or
   * one that looks like a secret without being known (a private key block, a secret-named
   * assignment, a URL with a password: old contents may hold secrets of an env no longer in use).
   */
  holdsSecret(text: string): boolean {
    if (!text) return false;
    if (PRIVATE_BLOCK.test(text) || textHoldsSecret(text)) return true;
    const re = this.regex();
    if (re) {
      re.lastIndex = 0;
      const hit = re.test(text);
      re.lastIndex = 0;
      if (hit) return true;
    }
    for (const _ of this.gramHits(text)) return true;
    return false;
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
