// Strings PyYAML's emitter (Salt's `|yaml`: safe_dump, allow_unicode) quotes where the yaml library
// would write something else: a line break (PyYAML never writes a multi-line plain scalar; it writes
// a single-quoted one, each break run doubled and the next line indented) or a character that is
// not printable (double-quoted with escapes). Lines are not wrapped at 80 columns here (a known
// difference, as for every scalar).

const BREAKS = '\n\x85\u2028\u2029';

/** PyYAML's escapes in a double-quoted scalar (Emitter.ESCAPE_REPLACEMENTS). */
export const DQ_ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

/** PyYAML's printable set with allow_unicode (Emitter.analyze_scalar); line breaks apart. */
function printable(c: number): boolean {
  if (c === 0x0a || (c >= 0x20 && c <= 0x7e)) return true;
  if (c === 0xfeff) return false;
  return c === 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c < 0x10ffff);
}

/** Does PyYAML quote this string in a way the yaml library would not (a line break, a special character)? */
export function needsPyQuoting(s: string): boolean {
  for (const ch of s) if (BREAKS.includes(ch) || !printable(ch.codePointAt(0)!)) return true;
  return false;
}

/** PyYAML's write_double_quoted with allow_unicode, without line wrapping. */
function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const raw = (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd);
    if (raw && !'"\\\x85\u2028\u2029\ufeff'.includes(ch)) out += ch;
    else if (Object.hasOwn(DQ_ESCAPES, ch)) out += `\\${DQ_ESCAPES[ch]}`;
    else if (c <= 0xff) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c <= 0xffff) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${c.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** PyYAML's write_single_quoted without wrapping: a run of breaks gets one more `\n` first, then the indent. */
function singleQuoted(s: string, indent: number): string {
  const text = s.replace(/'/g, "''");
  const runs = new RegExp(`[${BREAKS}]+`, 'g');
  return `'${text.replace(runs, (b) => `${b.startsWith('\n') ? '\n' : ''}${b}${' '.repeat(indent)}`)}'`;
}

/**
 * The scalar PyYAML writes for `s` (needsPyQuoting true) as a value at `indent` (2 at the top, 2
 * more per enclosing flow collection): single-quoted unless a special character, or a space next
 * to a line break, needs double quotes.
 */
export function pyQuotedString(s: string, indent: number): string {
  const chars = [...s];
  let special = false;
  let spaceBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (!BREAKS.includes(ch) && !printable(ch.codePointAt(0)!)) special = true;
    const prev = chars[i - 1];
    if (prev !== undefined && ((prev === ' ' && BREAKS.includes(ch)) || (BREAKS.includes(prev) && ch === ' ')))
      spaceBreak = true;
  }
  return special || spaceBreak ? doubleQuoted(s) : singleQuoted(s, indent);
}
