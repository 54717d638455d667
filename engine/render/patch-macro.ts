// Jinja macro calls: parameters are filled in order (positional, then by name); extra positional
// arguments are `varargs` and unknown keyword arguments `kwargs` when the macro body uses those
// names, else a call with them is an error (Jinja's TypeError). nunjucks drops them silently.
import { type AnyFn, nj } from './internals.js';
import { isMap, isStr, pyRepr, TemplateFault, tuple } from './pyvalue.js';

const R = nj.runtime;
const C = nj.compiler.Compiler.prototype;
const { nodes } = nj;

interface MacroExtra {
  varargs: unknown[];
  kwargs: Record<string, unknown>;
}

R.brineStarArgs = (v: unknown): unknown[] => {
  if (Array.isArray(v)) return v;
  if (isStr(v)) return [...String(v)];
  if (isMap(v)) return Object.keys(v);
  throw new TemplateFault(`*${pyRepr(v)}: argument after * must be a list or tuple`);
};
R.brineStarKwargs = (v: unknown): Record<string, unknown> => {
  if (!isMap(v)) throw new TemplateFault(`**${pyRepr(v)}: argument after ** must be a dict`);
  return { ...v };
};

/**
 * The macro's own makeMacro: `uses` says whether its body reads varargs / kwargs. The collected
 * extras reach the macro body through `runtime.brineMacroExtra`, read as its first statement.
 */
R.brineMakeMacro = function brineMakeMacro(
  name: string,
  uses: { varargs: boolean; kwargs: boolean },
  argNames: string[],
  kwargNames: string[],
  func: AnyFn,
) {
  const names = [...argNames, ...kwargNames];
  return function macro(this: unknown, ...callArgs: unknown[]) {
    const last = callArgs[callArgs.length - 1];
    const hasKw = !!last && typeof last === 'object' && Object.hasOwn(last, '__keywords');
    const kw: Record<string, unknown> = hasKw ? { ...(last as object) } : {};
    const pos = hasKw ? callArgs.slice(0, -1) : callArgs;
    delete kw.__keywords;
    const values: unknown[] = names.map(() => undefined);
    const varargs: unknown[] = [];
    pos.forEach((v, i) => {
      if (i < names.length) values[i] = v;
      else varargs.push(v);
    });
    if (varargs.length && !uses.varargs)
      throw new TemplateFault(`macro '${name}' takes not more than ${names.length} argument(s)`);
    const extra: Record<string, unknown> = {};
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(kw)) {
      const i = names.indexOf(k);
      if (k === 'caller') rest[k] = v;
      else if (i >= 0) {
        if (i < pos.length) throw new TemplateFault(`macro '${name}' got multiple values for argument '${k}'`);
        values[i] = v;
      } else if (uses.kwargs) extra[k] = v;
      else throw new TemplateFault(`macro '${name}' takes no keyword argument '${k}'`);
    }
    // nunjucks' macro function: positional parameters, then an object with the defaulted ones
    const args = values.slice(0, argNames.length);
    const defaults: Record<string, unknown> = { ...rest };
    kwargNames.forEach((k, j) => {
      const v = values[argNames.length + j];
      if (v !== undefined) defaults[k] = v;
    });
    R.brineMacroExtra = { varargs: tuple(varargs), kwargs: extra } satisfies MacroExtra;
    return func.apply(this, [...args, defaults]);
  };
};

function bodyUses(node: any, name: string): boolean {
  return node.body.findAll(nodes.Symbol!).some((s: any) => s.value === name);
}

const origCompileMacro = C._compileMacro as AnyFn;
C._compileMacro = function _compileMacro(this: any, node: any, frame: any) {
  const uses = { varargs: bodyUses(node, 'varargs'), kwargs: bodyUses(node, 'kwargs') };
  const name = node.name?.value ?? 'caller';
  const emitLines = this._emitLines;
  this._emitLines = function (this: any, ...lines: string[]) {
    this._emitLines = emitLines;
    if (String(lines[0]).includes('runtime.makeMacro(')) {
      lines[0] = String(lines[0]).replace(
        'runtime.makeMacro(',
        `runtime.brineMakeMacro(${JSON.stringify(name)}, ${JSON.stringify(uses)}, `,
      );
      lines.push(
        '{ const x = runtime.brineMacroExtra; runtime.brineMacroExtra = undefined; if (x) { frame.set("varargs", ' +
          'x.varargs); frame.set("kwargs", x.kwargs); } }',
      );
    }
    return emitLines.apply(this, lines);
  };
  try {
    return origCompileMacro.call(this, node, frame);
  } finally {
    this._emitLines = emitLines;
  }
};

export const macroPatched = true;
