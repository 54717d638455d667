// Parser patches: Jinja syntax nunjucks lacks or parses differently (silently wrong):
//   {% do expr %}, {% import_yaml/import_json/import_text "f" as x %}, {% load_yaml as x %}..{% endload %},
//   {% for x in xs if cond %} (filtered before looping, so loop.index/length count kept items),
//   {% set a, b = expr %} (unpacking, not "both get expr"), tuples `(a, b)`, slices `x[1:]`.
import { type AnyFn, nj } from './internals.js';

const { nodes, lexer } = nj;
const P = nj.parser.Parser.prototype;
let tmpCounter = 0;

const sym = (t: any, name: string) => new nodes.Symbol!(t.lineno, t.colno, name);
const lit = (t: any, v: unknown) => new nodes.Literal!(t.lineno, t.colno, v);
const list = (t: any, children: any[]) => new nodes.NodeList!(t.lineno, t.colno, children);
const call = (t: any, name: string, args: any[]) => new nodes.FunCall!(t.lineno, t.colno, sym(t, name), list(t, args));
const set = (t: any, name: string, value: any) => new nodes.Set!(t.lineno, t.colno, [sym(t, name)], value);
const output = (t: any, expr: any) => new nodes.Output!(t.lineno, t.colno, [expr]);

export const Slice = nodes.Node!.extend('Slice', {
  fields: ['start', 'stop', 'step'],
  init(this: any, lineno: number, colno: number, start: any, stop: any, step: any) {
    this.parent(
      lineno,
      colno,
      start ?? new nodes.Literal!(lineno, colno, null),
      stop ?? new nodes.Literal!(lineno, colno, null),
      step ?? new nodes.Literal!(lineno, colno, null),
    );
  },
});

function parseDo(this: any): any {
  const tok = this.nextToken();
  const expr = this.parseExpression();
  this.advanceAfterBlockEnd(tok.value);
  return output(tok, call(tok, '__brine_do', [expr]));
}

/** {% import_yaml "f.yml" as x %}: the file is rendered as a template (like Salt), then parsed. */
function parseImportData(this: any, kind: 'yaml' | 'json' | 'text'): any {
  const tok = this.nextToken();
  const path = this.parseExpression();
  if (!this.skipSymbol('as')) this.fail(`import_${kind}: expected "as NAME"`, tok.lineno, tok.colno);
  const target = this.parsePrimary();
  if (!(target instanceof nodes.Symbol!))
    this.fail(`import_${kind}: expected a variable name after "as"`, tok.lineno, tok.colno);
  this.advanceAfterBlockEnd(tok.value);
  const include = new nodes.Include!(tok.lineno, tok.colno, path, false);
  const text = new nodes.Capture!(tok.lineno, tok.colno, list(tok, [include]));
  const value = new nodes.Filter!(tok.lineno, tok.colno, sym(tok, `__brine_load_${kind}`), list(tok, [text, path]));
  return new nodes.Set!(tok.lineno, tok.colno, [target], value);
}

/** {% load_yaml as x %}...{% endload %} */
function parseLoadBlock(this: any, kind: 'yaml' | 'json' | 'text'): any {
  const tok = this.nextToken();
  if (!this.skipSymbol('as')) this.fail(`load_${kind}: expected "as NAME"`, tok.lineno, tok.colno);
  const target = this.parsePrimary();
  this.advanceAfterBlockEnd(tok.value);
  const body = this.parseUntilBlocks('endload');
  this.advanceAfterBlockEnd();
  const text = new nodes.Capture!(tok.lineno, tok.colno, body);
  const value = new nodes.Filter!(
    tok.lineno,
    tok.colno,
    sym(tok, `__brine_load_${kind}`),
    list(tok, [text, lit(tok, `load_${kind} block`)]),
  );
  return new nodes.Set!(tok.lineno, tok.colno, [target], value);
}

/** Jinja's loopcontrols extension (Salt enables it): {% break %}, {% continue %}. */
export const LoopControl = nodes.Node!.extend('BrineLoopControl', { fields: ['kind'] });

function parseLoopControl(this: any): any {
  const tok = this.nextToken();
  if (!this._brineLoopDepth) this.fail(`'${tok.value}' outside a for loop`, tok.lineno, tok.colno);
  this.advanceAfterBlockEnd(tok.value);
  return new LoopControl(tok.lineno, tok.colno, tok.value);
}

/** {% with a = 1, b = x %}...{% endwith %}: a scope (Salt enables jinja2.ext.with_). */
export const WithBlock = nodes.Node!.extend('BrineWith', { fields: ['sets', 'body'] });

function parseWith(this: any): any {
  const tok = this.nextToken();
  const sets: any[] = [];
  while (this.peekToken().type !== lexer.TOKEN_BLOCK_END) {
    if (sets.length && !this.skip(lexer.TOKEN_COMMA)) this.fail('with: expected comma', tok.lineno, tok.colno);
    const target = this.parsePrimary(true);
    if (!(target instanceof nodes.Symbol!)) this.fail('with: expected a variable name', tok.lineno, tok.colno);
    if (!this.skipValue(lexer.TOKEN_OPERATOR, '=')) this.fail('with: expected =', tok.lineno, tok.colno);
    sets.push(new nodes.Set!(tok.lineno, tok.colno, [target], this.parseExpression()));
  }
  this.advanceAfterBlockEnd(tok.value);
  const body = this.parseUntilBlocks('endwith');
  this.advanceAfterBlockEnd();
  return new WithBlock(tok.lineno, tok.colno, sets, body);
}

const origStatement = P.parseStatement as AnyFn;
P.parseStatement = function parseStatement(this: any) {
  const tok = this.peekToken();
  if (tok && tok.type === lexer.TOKEN_SYMBOL) {
    switch (tok.value) {
      case 'do':
        return parseDo.call(this);
      case 'import_yaml':
        return parseImportData.call(this, 'yaml');
      case 'import_json':
        return parseImportData.call(this, 'json');
      case 'import_text':
        return parseImportData.call(this, 'text');
      case 'load_yaml':
        return parseLoadBlock.call(this, 'yaml');
      case 'load_json':
        return parseLoadBlock.call(this, 'json');
      case 'load_text':
        return parseLoadBlock.call(this, 'text');
      case 'break':
      case 'continue':
        return parseLoopControl.call(this);
      case 'with':
        return parseWith.call(this);
      default:
    }
  }
  return origStatement.call(this);
};

P.parseFor = function parseFor(this: any) {
  const forTok = this.peekToken();
  if (!this.skipSymbol('for')) return this.fail('parseFor: expected for', forTok.lineno, forTok.colno);
  const node = new nodes.For!(forTok.lineno, forTok.colno);
  // targets: `x`, `k, v`, `(name, owner, mode)`
  const paren = this.skip(lexer.TOKEN_LEFT_PAREN);
  const names: any[] = [];
  do {
    const t = this.parsePrimary(true);
    if (!(t instanceof nodes.Symbol!))
      this.fail('parseFor: variable name expected for loop', forTok.lineno, forTok.colno);
    names.push(t);
  } while (this.skip(lexer.TOKEN_COMMA));
  if (paren && !this.skip(lexer.TOKEN_RIGHT_PAREN))
    this.fail('parseFor: expected ) after loop variables', forTok.lineno, forTok.colno);
  node.name = names.length === 1 ? names[0] : new nodes.Array!(forTok.lineno, forTok.colno, names);
  if (!this.skipSymbol('in')) this.fail('parseFor: expected "in" keyword for loop', forTok.lineno, forTok.colno);
  // Jinja: the iterable is not an inline-if (a trailing `if` filters the items); `a, b, c` is a tuple.
  let arr = this.parseOr();
  if (this.peekToken().type === lexer.TOKEN_COMMA) {
    const items = [arr];
    while (this.skip(lexer.TOKEN_COMMA)) items.push(this.parseOr());
    arr = call(forTok, '__brine_tuple', items);
  }
  const cond = this.skipSymbol('if') ? this.parseExpression() : null;
  if (this.skipSymbol('recursive')) this.fail('for ... recursive is not supported', forTok.lineno, forTok.colno);
  this.advanceAfterBlockEnd(forTok.value);
  this._brineLoopDepth = (this._brineLoopDepth ?? 0) + 1;
  try {
    node.body = this.parseUntilBlocks('endfor', 'else');
  } finally {
    this._brineLoopDepth--;
  }
  if (this.skipSymbol('else')) {
    this.advanceAfterBlockEnd('else');
    node.else_ = this.parseUntilBlocks('endfor');
  }
  this.advanceAfterBlockEnd();
  const nvars = node.name instanceof nodes.Array! ? node.name.children.length : 1;
  node.arr = call(forTok, '__brine_iter', [arr, lit(forTok, nvars)]);
  if (!cond) return node;
  // Filter first into a temp list, then loop over it (Jinja's loop.* count only kept items).
  const tmp = `_brine_for${++tmpCounter}`;
  const item = nvars === 1 ? node.name : new nodes.Array!(forTok.lineno, forTok.colno, node.name.children);
  const push = output(forTok, call(forTok, '__brine_push', [sym(forTok, tmp), item]));
  const collect = new nodes.For!(
    forTok.lineno,
    forTok.colno,
    node.arr,
    node.name,
    list(forTok, [new nodes.If!(forTok.lineno, forTok.colno, cond, list(forTok, [push]), null)]),
    null,
  );
  node.arr = sym(forTok, tmp);
  return list(forTok, [set(forTok, tmp, new nodes.Array!(forTok.lineno, forTok.colno, [])), collect, node]);
};

const origSet = P.parseSet as AnyFn;
P.parseSet = function parseSet(this: any) {
  const tag = this.peekToken();
  // Peek: `set a, b = ...` (several targets) needs Jinja's unpacking.
  const node = origSetWithTuple.call(this);
  // `{% set ns.attr = value %}` (Jinja namespaces)
  if (node.targets.some((t: any) => t instanceof nodes.LookupVal!)) {
    if (node.targets.length !== 1 || !node.value)
      this.fail('set: an attribute target must be the only target, with a value', tag.lineno, tag.colno);
    const t = node.targets[0];
    return output(tag, call(tag, '__brine_setattr', [t.target, t.val, node.value]));
  }
  if (!node.value || node.targets.length < 2) return node;
  const tmp = `_brine_set${++tmpCounter}`;
  const out: any[] = [set(tag, tmp, call(tag, '__brine_unpack', [node.value, lit(tag, node.targets.length)]))];
  node.targets.forEach((t: any, i: number) => {
    out.push(
      new nodes.Set!(
        tag.lineno,
        tag.colno,
        [t],
        new nodes.LookupVal!(tag.lineno, tag.colno, sym(tag, tmp), lit(tag, i)),
      ),
    );
  });
  return list(tag, out);
};

/** The original parseSet, but `set x = 1, 2` makes a tuple (Jinja) instead of failing. */
function origSetWithTuple(this: any): any {
  const origExpr = this.parseExpression;
  this.parseExpression = function parseTuple(this: any) {
    this.parseExpression = origExpr;
    const first = origExpr.call(this);
    if (this.peekToken().type !== lexer.TOKEN_COMMA) return first;
    const items = [first];
    while (this.skip(lexer.TOKEN_COMMA)) {
      if (this.peekToken().type === lexer.TOKEN_BLOCK_END) break;
      items.push(origExpr.call(this));
    }
    return call(first, '__brine_tuple', items);
  };
  try {
    return origSet.call(this);
  } finally {
    this.parseExpression = origExpr;
  }
}

/**
 * Lists, dicts, groups; plus what Jinja has and nunjucks lacks: tuples `(a, b)` and `(a,)` (as
 * lists, not JavaScript's comma operator), trailing commas, and slices `[a:b:c]` after a value.
 */
P.parseAggregate = function parseAggregate(this: any) {
  const tok = this.nextToken();
  let node: any;
  let close: string;
  if (tok.type === lexer.TOKEN_LEFT_PAREN)
    [node, close] = [new nodes.Group!(tok.lineno, tok.colno), lexer.TOKEN_RIGHT_PAREN!];
  else if (tok.type === lexer.TOKEN_LEFT_BRACKET)
    [node, close] = [new nodes.Array!(tok.lineno, tok.colno), lexer.TOKEN_RIGHT_BRACKET!];
  else if (tok.type === lexer.TOKEN_LEFT_CURLY)
    [node, close] = [new nodes.Dict!(tok.lineno, tok.colno), lexer.TOKEN_RIGHT_CURLY!];
  else return null;
  let sawComma = false;
  let slice: any[] | null = null;
  const parseSlice = (first: any): any[] => {
    const parts: any[] = [first];
    for (;;) {
      if (this.skip(close)) return parts;
      if (this.skip(lexer.TOKEN_COLON)) {
        parts.push(null);
        if (parts.length > 3) this.fail('too many slice components', tok.lineno, tok.colno);
        continue;
      }
      if (parts[parts.length - 1] !== null) this.fail('expected : or ] in slice', tok.lineno, tok.colno);
      parts[parts.length - 1] = this.parseExpression();
    }
  };
  for (;;) {
    const type = this.peekToken().type;
    if (type === close) {
      this.nextToken();
      break;
    }
    if (type === lexer.TOKEN_RIGHT_PAREN || type === lexer.TOKEN_RIGHT_BRACKET || type === lexer.TOKEN_RIGHT_CURLY) {
      this.fail('unbalanced brackets', tok.lineno, tok.colno);
    }
    if (node.children.length > 0) {
      if (!this.skip(lexer.TOKEN_COMMA))
        this.fail(
          `expected , or ${close === lexer.TOKEN_RIGHT_PAREN ? ')' : close === lexer.TOKEN_RIGHT_BRACKET ? ']' : '}'}` +
            `, got '${this.peekToken().value}'`,
          this.peekToken().lineno,
          this.peekToken().colno,
        );
      sawComma = true;
      if (this.peekToken().type === close) continue;
    }
    if (node instanceof nodes.Dict!) {
      // Jinja: a key is any expression (`{'x'|upper: 1}`, `{k ~ '_id': v}`)
      const key = this.parseExpression();
      if (!this.skip(lexer.TOKEN_COLON)) this.fail('expected : after a dict key', tok.lineno, tok.colno);
      const value = this.parseExpression();
      node.addChild(new nodes.Pair!(key.lineno, key.colno, key, value));
      continue;
    }
    const first =
      node instanceof nodes.Array! && node.children.length === 0 && this.peekToken().type === lexer.TOKEN_COLON
        ? null
        : this.parseExpression();
    if (node instanceof nodes.Array! && node.children.length === 0 && this.peekToken().type === lexer.TOKEN_COLON) {
      slice = parseSlice(first);
      break;
    }
    node.addChild(first);
  }
  if (slice)
    return new nodes.Array!(tok.lineno, tok.colno, [new Slice(tok.lineno, tok.colno, slice[0], slice[1], slice[2])]);
  if (node instanceof nodes.Group! && (node.children.length !== 1 || sawComma))
    return call(tok, '__brine_tuple', node.children);
  return node;
};

export const parserPatched = true;

// `x is sameas true`, `n is divisibleby 3`: Jinja allows one test argument without parentheses.
const ARG_START = new Set([
  lexer.TOKEN_SYMBOL,
  lexer.TOKEN_STRING,
  lexer.TOKEN_INT,
  lexer.TOKEN_FLOAT,
  lexer.TOKEN_BOOLEAN,
  lexer.TOKEN_NONE,
  lexer.TOKEN_LEFT_BRACKET,
  lexer.TOKEN_LEFT_CURLY,
]);
const NOT_ARG = new Set(['else', 'or', 'and', 'if', 'is', 'in', 'not']);
P.parseIs = function parseIs(this: any) {
  let node = this.parseCompare();
  if (!this.skipSymbol('is')) return node;
  const not = this.skipSymbol('not');
  let test = this.parseCompare();
  const next = this.peekToken();
  if (
    test instanceof nodes.Symbol! &&
    next &&
    ARG_START.has(next.type) &&
    !(next.type === lexer.TOKEN_SYMBOL && NOT_ARG.has(next.value))
  ) {
    const arg = this.parsePostfix(this.parsePrimary());
    test = new nodes.FunCall!(test.lineno, test.colno, test, list(test, [arg]));
  }
  node = new nodes.Is!(node.lineno, node.colno, node, test);
  return not ? new nodes.Not!(node.lineno, node.colno, node) : node;
};

// `x.0`: Jinja allows an integer after the dot (item 0).
P.parsePostfix = function parsePostfix(this: any, node: any) {
  let tok = this.peekToken();
  while (tok) {
    if (tok.type === lexer.TOKEN_LEFT_PAREN)
      node = new nodes.FunCall!(tok.lineno, tok.colno, node, this.parseSignature());
    else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
      const lookup = this.parseAggregate();
      if (lookup.children.length > 1) this.fail('invalid index');
      node = new nodes.LookupVal!(tok.lineno, tok.colno, node, lookup.children[0]);
    } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
      this.nextToken();
      const val = this.nextToken();
      let key: unknown;
      if (val.type === lexer.TOKEN_SYMBOL || val.type === lexer.TOKEN_NONE || val.type === lexer.TOKEN_BOOLEAN)
        key = val.value;
      else if (val.type === lexer.TOKEN_INT) key = Number(val.value);
      else this.fail(`expected name as lookup value, got ${val.value}`, val.lineno, val.colno);
      node = new nodes.LookupVal!(tok.lineno, tok.colno, node, new nodes.Literal!(val.lineno, val.colno, key));
    } else break;
    tok = this.peekToken();
  }
  return node;
};

// `{% include "x" with context %}` / `without context` (Jinja syntax; includes always see the context).
const origInclude = P.parseInclude as AnyFn;
P.parseInclude = function parseInclude(this: any) {
  const origAdvance = this.advanceAfterBlockEnd;
  this.advanceAfterBlockEnd = function (this: any, name?: string) {
    this.advanceAfterBlockEnd = origAdvance;
    if (this.skipSymbol('with') || this.skipSymbol('without')) {
      if (!this.skipSymbol('context')) this.fail('include: expected "context" after with/without');
    }
    return origAdvance.call(this, name);
  };
  try {
    return origInclude.call(this);
  } finally {
    this.advanceAfterBlockEnd = origAdvance;
  }
};
