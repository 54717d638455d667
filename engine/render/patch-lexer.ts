// Lexer patch: string literals with Python's escapes. nunjucks drops the backslash of unknown
// escapes ('\d' -> 'd'), which silently breaks regular expressions written for Jinja.
import { nj } from './internals.js';

const T =
  Object.getPrototypeOf(nj.lexer as any as { lex: (s: string) => object }) &&
  Object.getPrototypeOf((nj.lexer as any).lex(''));

const SIMPLE: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\n': '',
};

T._parseString = function _parseString(this: any, delimiter: string) {
  this.forward();
  let str = '';
  while (!this.isFinished() && this.current() !== delimiter) {
    const cur = this.current();
    if (cur !== '\\') {
      str += cur;
      this.forward();
      continue;
    }
    this.forward();
    const c = this.current();
    if (Object.hasOwn(SIMPLE, c)) {
      str += SIMPLE[c];
      this.forward();
    } else if (c === 'x' || c === 'u') {
      const n = c === 'x' ? 2 : 4;
      let hex = '';
      this.forward();
      for (let i = 0; i < n && /[0-9a-fA-F]/.test(this.current()); i++) {
        hex += this.current();
        this.forward();
      }
      str += hex.length === n ? String.fromCharCode(parseInt(hex, 16)) : `\\${c}${hex}`;
    } else {
      str += `\\${c}`;
      this.forward();
    }
  }
  this.forward();
  return str;
};

export const lexerPatched = true;

// `{{ {'a': {'b': 1}} }}`: a `}` that closes an open `{` is a brace, not the end of the tag
// (Jinja balances brackets; nunjucks ends the tag at the first `}}`).
const L = nj.lexer;
const origNext = T.nextToken;
T.nextToken = function nextToken(this: any) {
  if (this.in_code && this._brineCurly > 0 && this.current() === '}') {
    const tok = { type: L.TOKEN_RIGHT_CURLY, value: '}', lineno: this.lineno, colno: this.colno };
    this.forward();
    this._brineCurly--;
    return tok;
  }
  const tok = origNext.call(this);
  if (!tok) return tok;
  if (tok.type === L.TOKEN_LEFT_CURLY) this._brineCurly = (this._brineCurly ?? 0) + 1;
  else if (tok.type === L.TOKEN_RIGHT_CURLY) this._brineCurly = Math.max(0, (this._brineCurly ?? 0) - 1);
  else if (tok.type === L.TOKEN_VARIABLE_END || tok.type === L.TOKEN_BLOCK_END) this._brineCurly = 0;
  return tok;
};
