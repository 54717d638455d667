// Salt's compound matcher: `G@os:Debian and I@appliance:enabled:true or not web*`, with
// `( )`, `and`/`or`/`not` (Python precedence) and the prefixes G@ I@ L@ E@ P@ J@; a bare word
// is a glob on the minion id.
import { type MatchTarget, matchOne } from './matchers.js';

type Tok = string;

export class CompoundSyntaxError extends Error {}

export function compoundMatch(expr: string, t: MatchTarget): boolean {
  const toks: Tok[] = expr.replace(/\(/g, ' ( ').replace(/\)/g, ' ) ').split(/\s+/).filter(Boolean);
  let i = 0;
  const peek = () => toks[i];
  const orExpr = (): boolean => {
    let v = andExpr();
    while (peek() === 'or') {
      i++;
      const r = andExpr();
      v = v || r;
    }
    return v;
  };
  const andExpr = (): boolean => {
    let v = notExpr();
    while (peek() === 'and') {
      i++;
      const r = notExpr();
      v = v && r;
    }
    return v;
  };
  const notExpr = (): boolean => {
    if (peek() === 'not') {
      i++;
      return !notExpr();
    }
    return atom();
  };
  const atom = (): boolean => {
    const tok = toks[i++];
    if (tok === undefined) throw new CompoundSyntaxError(`compound expression '${expr}' ends early`);
    if (tok === '(') {
      const v = orExpr();
      if (toks[i++] !== ')') throw new CompoundSyntaxError(`compound expression '${expr}': missing ')'`);
      return v;
    }
    if (tok === ')' || tok === 'and' || tok === 'or')
      throw new CompoundSyntaxError(`compound expression '${expr}': unexpected '${tok}'`);
    const m = /^([A-Z])@(.*)$/.exec(tok);
    if (!m) return matchOne('glob', tok, t);
    const kind = { G: 'grain', I: 'pillar', L: 'list', E: 'pcre', P: 'grain_pcre', J: 'pillar_pcre' }[m[1]!];
    if (!kind) throw new CompoundSyntaxError(`compound expression '${expr}': unsupported matcher '${m[1]}@'`);
    return matchOne(kind, m[2]!, t);
  };
  const v = orExpr();
  if (i < toks.length) throw new CompoundSyntaxError(`compound expression '${expr}': unexpected '${toks[i]}'`);
  return v;
}
