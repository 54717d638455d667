// fnmatch as Salt uses it (Python's fnmatch.fnmatchcase), the one glob of brine: `*` any text, `/`
// and `.` included, `?` one character, `[abc]`, `[a-z]`, `[!abc]`; every other character is
// literal. picomatch compiles it; what picomatch reads otherwise is neutralised first: `/` is an
// ordinary character here (mapped to a private-use one on both sides), and braces, extglobs,
// parentheses and backslashes are literal.
import picomatch from 'picomatch';

/** `/` on both sides of a match: picomatch treats it as a separator, fnmatch does not. */
const SLASH = '\uE000';
/** Characters picomatch reads as syntax that fnmatch takes literally (outside brackets). */
const LITERAL = new Set(['\\', '(', ')', '{', '}', '|', '+', '@', '!', '$', '^']);

export interface FnmatchOptions {
  /** Case-insensitive (top file subdicts, OpenSSH host patterns). */
  nocase?: boolean;
  /** false: `[` is literal, only `*` and `?` are wildcards (OpenSSH's host patterns, `[host]:port`). */
  brackets?: boolean;
}

/** True when the pattern has a wildcard (else it only matches itself). */
export function hasMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Where the bracket expression starting at i ends (Python's rule), or -1 when `[` is literal. */
function bracketEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '!') j++;
  if (p[j] === ']') j++;
  while (j < p.length && p[j] !== ']') j++;
  return j < p.length ? j : -1;
}

/** The pattern as picomatch (bash mode) reads it with fnmatch's meaning. */
function toPicomatch(p: string, brackets: boolean): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '[') {
      const end = brackets ? bracketEnd(p, i) : -1;
      if (end < 0) {
        out += '[[]';
        continue;
      }
      let body = p.slice(i + 1, end).replaceAll('/', SLASH);
      // `[!x]` negates; Python reads a leading `^` literally: moved where it is not a negation
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      else if (body.startsWith('^')) body = `${body.slice(1)}^`;
      out += `[${body}]`;
      i = end;
    } else if (c === '/') out += SLASH;
    else if (LITERAL.has(c)) out += `[${c === '\\' || c === '^' ? `\\${c}` : c}]`;
    else out += c;
  }
  return out;
}

const cache = new Map<string, RegExp>();

function regexFor(pattern: string, nocase: boolean, brackets: boolean): RegExp {
  const key = `${nocase ? 'i' : 's'}${brackets ? '[' : ''}:${pattern}`;
  let re = cache.get(key);
  if (!re) {
    re = picomatch.makeRe(toPicomatch(pattern, brackets), {
      bash: true,
      dot: true,
      nobrace: true,
      noextglob: true,
      nonegate: true,
      noquantifiers: true,
      strictSlashes: true,
      flags: nocase ? 'is' : 's',
    });
    cache.set(key, re);
  }
  return re;
}

/** A matcher for one pattern (compiled once). */
export function fnmatcher(pattern: string, o: FnmatchOptions = {}): (value: string) => boolean {
  const re = regexFor(pattern, !!o.nocase, o.brackets !== false);
  return (value) => re.test(value.replaceAll('/', SLASH));
}

/** Does value match the fnmatch pattern? */
export function fnmatch(value: string, pattern: string, o: FnmatchOptions = {}): boolean {
  return fnmatcher(pattern, o)(value);
}
