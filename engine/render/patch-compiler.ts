// Compiler patches: Python semantics for the operators where JavaScript's differ silently:
// truthiness (`[]`/`{}` are false), `and`/`or` returning operands, `%` string formatting,
// `+` on lists, `*` on strings, `~` and `==` on structures; plus slices.
import { type AnyFn, nj } from './internals.js';
import { LoopControl, Slice, WithBlock } from './patch-parser.js';

const C = nj.compiler.Compiler.prototype;
const { nodes } = nj;

const origAssertType = C.assertType as AnyFn;
C.assertType = function assertType(this: any, node: any, ...types: any[]) {
  if (node instanceof Slice) return;
  return origAssertType.call(this, node, ...types);
};

C.compileSlice = function compileSlice(this: any, node: any, frame: any) {
  this._emit('(');
  this._compileExpression(node.start, frame);
  this._emit('),(');
  this._compileExpression(node.stop, frame);
  this._emit('),(');
  this._compileExpression(node.step, frame);
  this._emit(')');
};

function runtimeCall(name: string) {
  return function (this: any, node: any, frame: any) {
    this._emit(`runtime.${name}(`);
    this.compile(node.left, frame);
    this._emit(',');
    this.compile(node.right, frame);
    this._emit(')');
  };
}

C.compileMod = runtimeCall('brineMod');
C.compileAdd = runtimeCall('brineAdd');
C.compileMul = runtimeCall('brineMul');
C.compileConcat = runtimeCall('brineConcat');

C.compileNot = function compileNot(this: any, node: any, frame: any) {
  this._emit('!runtime.brineTruthy(');
  this.compile(node.target, frame);
  this._emit(')');
};

function shortCircuit(keepIfTruthy: boolean) {
  return function (this: any, node: any, frame: any) {
    const t = this._tmpid();
    this._emit(`((${t}) => ${keepIfTruthy ? '' : '!'}runtime.brineTruthy(${t}) ? ${t} : (`);
    this.compile(node.right, frame);
    this._emit('))(');
    this.compile(node.left, frame);
    this._emit(')');
  };
}
C.compileOr = shortCircuit(true);
C.compileAnd = shortCircuit(false);

C.compileInlineIf = function compileInlineIf(this: any, node: any, frame: any) {
  this._emit('(runtime.brineTruthy(');
  this.compile(node.cond, frame);
  this._emit(')?');
  this.compile(node.body, frame);
  this._emit(':');
  if (node.else_ !== null) this.compile(node.else_, frame);
  else this._emit('""');
  this._emit(')');
};

const origIf = C.compileIf as AnyFn;
C.compileIf = function compileIf(this: any, node: any, frame: any, async: unknown) {
  const cond = node.cond;
  const wrapped = new nodes.FunCall!(
    cond.lineno,
    cond.colno,
    new nodes.Symbol!(cond.lineno, cond.colno, '__brine_truthy'),
    new nodes.NodeList!(cond.lineno, cond.colno, [cond]),
  );
  node.cond = wrapped;
  try {
    return origIf.call(this, node, frame, async);
  } finally {
    node.cond = cond;
  }
};

// comparisons: patch-compare.ts

export const compilerPatched = true;

// Line tracking: nunjucks only records the line of function calls; record it for every output
// expression and statement so a runtime error names the line it happened on.
// `runtime.brineLoc` is where the statement being executed comes from (file, 1-based line): an
// error thrown inside a macro defined in another file names that file.
function emitLoc(c: any, node: any): void {
  c._emitLine(
    `lineno = ${node.lineno}; colno = ${node.colno}; runtime.brineLoc = ` +
      `[${JSON.stringify(String(c.templateName ?? ''))}, ${node.lineno + 1}];`,
  );
}
function withLine(name: string) {
  const orig = C[name] as AnyFn;
  C[name] = function (this: any, node: any, frame: any, ...rest: any[]) {
    emitLoc(this, node);
    return orig.call(this, node, frame, ...rest);
  };
}
for (const n of ['compileIf', 'compileFor', 'compileSet', 'compileInclude', 'compileImport', 'compileFromImport'])
  withLine(n);

const origOutput = C.compileOutput as AnyFn;
C.compileOutput = function compileOutput(this: any, node: any, frame: any) {
  for (const child of node.children) {
    if (child instanceof nodes.TemplateData!) origOutput.call(this, { ...node, children: [child] }, frame);
    else {
      emitLoc(this, child);
      origOutput.call(this, { lineno: node.lineno, colno: node.colno, children: [child] }, frame);
    }
  }
};

// Errors from getTemplate (include/import of a missing file) carry the line of the tag.
C._makeCallback = function _makeCallback(this: any, res?: string) {
  const err = this._tmpid();
  return (
    `function(${err}${res ? `,${res}` : ''}) {\nif(${err}) { cb(runtime.handleError(${err}, lineno, colno)); ` +
    `return; }`
  );
};

// nunjucks embeds a call's source text in the generated code unescaped: a newline or backslash in
// a string literal (`'a\n'.strip()`) broke the generated JavaScript.
const origNodeName = C._getNodeName as AnyFn;
C._getNodeName = function _getNodeName(this: any, node: any) {
  const name = String(origNodeName.call(this, node));
  return name
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028|\u2029/g, ' ');
};

// Jinja scoping: `{% set %}` inside a for loop (or macro) does not leak out of it. nunjucks
// writes to the outer variable of the same name (frame.set(..., resolveUp=true)).
const origSet = C.compileSet as AnyFn;
C.compileSet = function compileSet(this: any, node: any, frame: any) {
  const emitLine = this._emitLine;
  this._emitLine = function (this: any, line: string) {
    return emitLine.call(this, line.replace(/^(frame\.set\(".*", t_\d+), true\);$/, '$1);'));
  };
  try {
    return origSet.call(this, node, frame);
  } finally {
    this._emitLine = emitLine;
  }
};

C.compileBrineLoopControl = function compileBrineLoopControl(this: any, node: any) {
  this._emitLine(`${node.kind};`);
};

C.compileBrineWith = function compileBrineWith(this: any, node: any, frame: any) {
  this._emitLine('frame = frame.push();');
  const inner = frame.push();
  for (const s of node.sets) this.compile(s, inner);
  this.compile(node.body, inner);
  this._emitLine('frame = frame.pop();');
};
void LoopControl;
void WithBlock;

// Jinja gives every loop iteration a fresh scope: `{% set %}` in one iteration is not seen by the
// next. nunjucks keeps one frame for the whole loop: clear what the previous iteration set.
const origBindings = C._emitLoopBindings as AnyFn;
C._emitLoopBindings = function _emitLoopBindings(this: any, node: any, ...rest: any[]) {
  const r = origBindings.call(this, node, ...rest);
  const names: string[] =
    node.name instanceof nodes.Array! ? node.name.children.map((c: any) => c.value) : [node.name.value];
  this._emitLine(
    `for (const k in frame.variables) if (k !== "loop" && !${JSON.stringify(names)}.includes(k)) delete ` +
      `frame.variables[k];`,
  );
  return r;
};

// Dict literal keys are expressions in Jinja (`{k: v}` uses the variable k); nunjucks takes a bare
// name as the string 'k' and rejects any other expression. Keyword arguments keep names.
const origDict = C.compileDict as AnyFn;
C.compileDict = function compileDict(this: any, node: any, frame: any) {
  if (node instanceof nodes.KeywordArgs!) return origDict.call(this, node, frame);
  this._emit('runtime.brineDict([');
  node.children.forEach((pair: any, i: number) => {
    if (i > 0) this._emit(',');
    this._emit('[');
    this._compileExpression(pair.key, frame);
    this._emit(',');
    this._compileExpression(pair.value, frame);
    this._emit(']');
  });
  this._emit('])');
};

// loop.cycle('odd', 'even') (Jinja)
const origBindings2 = C._emitLoopBindings as AnyFn;
C._emitLoopBindings = function _emitLoopBindings(this: any, node: any, arr: string, i: string, len: string) {
  this._emitLine(`frame.set("loop.cycle", (...a) => a[${i} % a.length]);`);
  return origBindings2.call(this, node, arr, i, len);
};
