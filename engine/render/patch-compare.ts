// Comparisons as Jinja2 with StrictUndefined (Salt's setting): comparing an undefined value
// (`nope == 1`, `pillar.x < 3`) is an error, not False; `==` compares structures by value and
// `a < b < c` chains.
import { nj } from './internals.js';
import { pyEq } from './patch-runtime.js';
import { isStr, pyRepr, TemplateFault } from './pyvalue.js';

const C = nj.compiler.Compiler.prototype;
const R = nj.runtime;

function order(op: string, a: unknown, b: unknown): boolean {
  const num = (v: unknown) => typeof v === 'number' || typeof v === 'boolean';
  const ok = (num(a) && num(b)) || (isStr(a) && isStr(b)) || (Array.isArray(a) && Array.isArray(b));
  if (!ok) throw new TemplateFault(`'${op}' not supported between ${pyRepr(a)} and ${pyRepr(b)}`);
  const x: any = Array.isArray(a) ? a : isStr(a) ? String(a) : Number(a);
  const y: any = Array.isArray(b) ? b : isStr(b) ? String(b) : Number(b);
  if (Array.isArray(x)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (!pyEq(x[i], y[i])) return order(op, x[i], y[i]);
    }
    return order(op, x.length, y.length);
  }
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

R.brineCompare = (first: unknown, ops: Array<[string, unknown]>): boolean => {
  let left = first;
  for (const [op, right] of ops) {
    if (left === undefined || right === undefined)
      throw new TemplateFault(
        `comparing an undefined value (a missing variable or key) with '${op}'; use \`is defined\` or .get()`,
      );
    const r =
      op === '==' || op === '==='
        ? pyEq(left, right)
        : op === '!=' || op === '!=='
          ? !pyEq(left, right)
          : order(op, left, right);
    if (!r) return false;
    left = right;
  }
  return true;
};

C.compileCompare = function compileCompare(this: any, node: any, frame: any) {
  this._emit('runtime.brineCompare(');
  this.compile(node.expr, frame);
  this._emit(', [');
  node.ops.forEach((op: any, i: number) => {
    if (i) this._emit(',');
    this._emit(`[${JSON.stringify(op.type)}, `);
    this.compile(op.expr, frame);
    this._emit(']');
  });
  this._emit('])');
};

export const comparePatched = true;
