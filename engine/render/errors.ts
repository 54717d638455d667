// nunjucks errors -> RenderError{file,line}: one line, the file relative to the states dir, the
// innermost template where it happened, no stack.
import { RenderError } from '../errors.js';
import { LOC_MARK } from './patch-runtime.js';

const HEADER = /^\(([^()\n]*)\)(?: \[Line (\d+)(?:, Column \d+)?\])?$/;
const PREFIX = /^(?:Template render error: |Error: |TemplateFault: |TypeError: |RenderError: |ReferenceError: )+/;

export function toRenderError(e: unknown, file: string): RenderError {
  if (e instanceof RenderError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  let where = file;
  let line: number | undefined;
  const rest: string[] = [];
  for (const raw of msg.split('\n')) {
    const l = raw.trim().replace(PREFIX, '');
    const m = HEADER.exec(l);
    if (m) {
      if (m[2]) {
        line = Number(m[2]);
        if (m[1] && m[1] !== 'unknown path') where = m[1];
      } else if (line === undefined && m[1] && m[1] !== 'unknown path') where = m[1];
      continue;
    }
    if (l) rest.push(l);
  }
  let reason = rest.join(' ').replace(PREFIX, '');
  const marked = new RegExp(`${LOC_MARK}(.*?)${LOC_MARK}(\\d+)${LOC_MARK} ?`).exec(reason);
  if (marked) {
    if (marked[1]) where = marked[1];
    line = Number(marked[2]);
    reason = reason.replace(marked[0], '').replace(PREFIX, '');
    // a fault already shaped by a nested render: `(unknown path) Error: ...` after the mark
    reason = reason.replace(/^\([^()\n]*\)(?: \[Line \d+(?:, Column \d+)?\])? +/, '').replace(PREFIX, '');
  }
  // nunjucks phrasing for the usual suspects, in Salt/Jinja terms
  reason = jinjaPhrasing(reason);
  reason = reason.replace(/^Unable to call `(.*)`, which is undefined or falsey$/, 'cannot call $1: it is undefined');
  reason = reason.replace(
    /^Unable to call `(.*)`, which is not a function$/,
    'cannot call $1: it is not a function (a key of that name shadows the method)',
  );
  reason = reason.replace(
    /^template not found: (.*)$/,
    'template not found: $1 (names are relative to the states dir)',
  );
  return new RenderError(where, line, reason || 'template error');
}

/** A salt[...] callee as Salt names it: `salt["mine"]["get"]` -> mine.get */
function saltName(callee: string): string | null {
  const m = /^salt((?:\["[^"\]]*"\])+)$/.exec(callee);
  if (!m) return null;
  return [...m[1]!.matchAll(/\["([^"\]]*)"\]/g)].map((x) => x[1]).join('.');
}

/** nunjucks parser and runtime messages in Jinja terms (no parser-internal names). */
export function jinjaPhrasing(reason: string): string {
  const call = /^Unable to call `(.*)`, which is undefined or falsey$/.exec(reason);
  const fn = call ? saltName(call[1]!) : null;
  if (fn)
    return (
      `salt['${fn}'] is not an execution function brine has (brine follows Salt 3006; see the README's Salt ` +
      `compatibility section)`
    );
  return reason
    .replace(/^parse[A-Za-z]*: /, '')
    .replace(/^expected variable end$/, 'expected }} to end the expression')
    .replace(/^expected block end in (\w+) statement$/, 'expected %} to end the {% $1 %} tag')
    .replace(/^unexpected token: (.*)$/, "unexpected '$1'")
    .replace(/^unknown block tag: (.*)$/, 'unknown tag {% $1 %} (or the block it belongs to is not open)')
    .replace(/^expected end of comment, got end of file$/, 'a {# comment is not closed with #}')
    .replace(
      /^unexpected end of file$/,
      'unexpected end of the template (a {% for %}, {% if %} or other block is not closed)',
    )
    .replace(/^expected elif, else, or endif, got end of file$/, '{% if %} is not closed with {% endif %}')
    .replace(/^expected (.*), got end of file$/, 'expected $1, got the end of the template');
}
