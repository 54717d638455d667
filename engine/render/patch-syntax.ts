// Jinja syntax Salt formulas use that nunjucks rejects: a trailing comma in a call `f(a,\n)`,
// chained conditional expressions `a if x else b if y else c`, `f(*args, **kwargs)` at a call
// site, and a stray `#}` in template text (Jinja prints it).
import { nj } from './internals.js';

const { nodes, lexer } = nj;
const P = nj.parser.Parser.prototype;

/** `*expr` among a call's positional arguments (spread into them). */
export const StarArg = nodes.Node!.extend('BrineStarArg', { fields: ['target'] });
/** `**expr` among a call's keyword arguments (merged into them). */
export const StarStarArg = nodes.Node!.extend('BrineStarStarArg', { fields: ['target'] });

P.parseInlineIf = function parseInlineIf(this: any) {
  let node = this.parseOr();
  if (this.skipSymbol('if')) {
    const cond = this.parseOr();
    const body = node;
    node = new nodes.InlineIf!(node.lineno, node.colno);
    node.body = body;
    node.cond = cond;
    // Jinja: the else branch is itself a conditional expression
    node.else_ = this.skipSymbol('else') ? this.parseInlineIf() : null;
  }
  return node;
};

P.parseSignature = function parseSignature(this: any, tolerant?: boolean, noParens?: boolean) {
  let tok = this.peekToken();
  if (!noParens && tok.type !== lexer.TOKEN_LEFT_PAREN) {
    if (tolerant) return null;
    this.fail('expected ( to start the arguments', tok.lineno, tok.colno);
  }
  if (tok.type === lexer.TOKEN_LEFT_PAREN) tok = this.nextToken();
  const args = new nodes.NodeList!(tok.lineno, tok.colno);
  const kwargs = new nodes.KeywordArgs!(tok.lineno, tok.colno);
  let checkComma = false;
  for (;;) {
    tok = this.peekToken();
    if (!noParens && tok.type === lexer.TOKEN_RIGHT_PAREN) {
      this.nextToken();
      break;
    }
    if (noParens && tok.type === lexer.TOKEN_BLOCK_END) break;
    if (checkComma) {
      if (!this.skip(lexer.TOKEN_COMMA))
        this.fail(`expected , or ) in the arguments, got '${tok.value}'`, tok.lineno, tok.colno);
      checkComma = false;
      continue; // a trailing comma before ) is allowed
    }
    if (tok.type === lexer.TOKEN_OPERATOR && (tok.value === '*' || tok.value === '**')) {
      this.nextToken();
      const target = this.parseExpression();
      if (tok.value === '*') args.addChild(new StarArg(tok.lineno, tok.colno, target));
      else kwargs.addChild(new StarStarArg(tok.lineno, tok.colno, target));
    } else {
      const arg = this.parseExpression();
      if (this.skipValue(lexer.TOKEN_OPERATOR, '='))
        kwargs.addChild(new nodes.Pair!(arg.lineno, arg.colno, arg, this.parseExpression()));
      else args.addChild(arg);
    }
    checkComma = true;
  }
  if (kwargs.children.length) args.addChild(kwargs);
  return args;
};

// A `#}` outside a comment is text in Jinja; nunjucks fails with "unexpected end of comment".
const T = Object.getPrototypeOf((nj.lexer as any).lex(''));
const origExtract = T._extractString;
T._extractString = function _extractString(this: any, str: string) {
  const r = origExtract.call(this, str);
  if (r !== null && !this.in_code) {
    if (str === this.tags.COMMENT_START) this._brineComment = true;
    else if (str === this.tags.COMMENT_END) this._brineComment = false;
  }
  return r;
};
const origMatches = T._matches;
T._matches = function _matches(this: any, str: string) {
  if (!this.in_code && !this._brineComment && str === this.tags.COMMENT_END) return false;
  return origMatches.call(this, str);
};

// Compiling the spreads: `f(a, *b, c=1, **d)` -> callWrap(f, ..., [a, ...b, makeKeywordArgs({c: 1, ...d})]).
const C = nj.compiler.Compiler.prototype;
C.compileBrineStarArg = function compileBrineStarArg(this: any, node: any, frame: any) {
  this._emit('...runtime.brineStarArgs(');
  this._compileExpression(node.target, frame);
  this._emit(')');
};
const origKw = C.compileKeywordArgs;
C.compileKeywordArgs = function compileKeywordArgs(this: any, node: any, frame: any) {
  const stars = node.children.filter((c: any) => c instanceof StarStarArg);
  if (!stars.length) return origKw.call(this, node, frame);
  const pairs = new nodes.KeywordArgs!(node.lineno, node.colno);
  for (const c of node.children) if (!(c instanceof StarStarArg)) pairs.addChild(c);
  this._emit('runtime.makeKeywordArgs(Object.assign({}, ');
  this._compileAggregate(pairs, frame, '{', '}');
  for (const s of stars) {
    this._emit(', runtime.brineStarKwargs(');
    this._compileExpression(s.target, frame);
    this._emit(')');
  }
  this._emit('))');
};

export const syntaxPatched = true;
