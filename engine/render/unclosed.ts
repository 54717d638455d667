// Where a template's unclosed block starts: nunjucks reports "unexpected end of file" (a truncated
// `{%- for ...`, an `{% if %}` without `{% endif %}`) with no line. This scans the tags and returns
// the line of the innermost block still open at the end, or of a tag left unterminated.

const OPENERS = new Set([
  'for',
  'if',
  'macro',
  'call',
  'filter',
  'raw',
  'verbatim',
  'with',
  'block',
  'set',
  'load_yaml',
  'load_json',
  'load_text',
  'import_yaml',
]);

/** 1-based line of the block (or tag, comment, expression) left open at the end of `text`, if any. */
export function unclosedLine(text: string): number | undefined {
  const stack: Array<{ tag: string; line: number }> = [];
  const lineAt = (i: number): number => text.slice(0, i).split('\n').length;
  const re = /\{%-?\s*(\w+)([\s\S]*?)(-?%\})|\{%|\{#|\{\{/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[0] === '{#') {
      const end = text.indexOf('#}', m.index + 2);
      if (end < 0) return lineAt(m.index);
      re.lastIndex = end + 2;
      continue;
    }
    if (m[0] === '{{') {
      const end = text.indexOf('}}', m.index + 2);
      if (end < 0) return lineAt(m.index);
      re.lastIndex = end + 2;
      continue;
    }
    if (m[0] === '{%') return lineAt(m.index); // a tag never closed
    const tag = m[1]!;
    const rest = m[2] ?? '';
    if (tag === 'raw' || tag === 'verbatim') {
      const end = new RegExp(`\\{%-?\\s*end${tag}\\s*-?%\\}`, 'g');
      end.lastIndex = re.lastIndex;
      if (!end.exec(text)) return lineAt(m.index);
      re.lastIndex = end.lastIndex;
      continue;
    }
    // `{% set x = 1 %}` is a statement; `{% set x %}...{% endset %}` is a block
    if (tag === 'set' && rest.includes('=')) continue;
    if (OPENERS.has(tag)) stack.push({ tag, line: lineAt(m.index) });
    else if (tag.startsWith('end')) {
      const want = tag.slice(3);
      const at = stack.map((s) => s.tag).lastIndexOf(want);
      if (at >= 0) stack.length = at;
    }
  }
  return stack.length ? stack[stack.length - 1]!.line : undefined;
}

const ENGINE =
  /Cannot read properties of|is not a function|is not iterable|undefined is not|Cannot convert|Cannot set properties/;
const AT_EOF = /end of file|expected (?:block|variable) end|expected end of comment|unexpected end/;

/**
 * A render error in the user's terms: a parser that tripped over a malformed template is a syntax
 * error, an error at the end of the text names the line of the block left open, and a JavaScript
 * message (`Cannot read properties of null`) is said as Jinja would say it.
 */
export function shapeError(
  file: string,
  line: number | undefined,
  reason: string,
  text: string,
  parsing: boolean,
): { line: number | undefined; reason: string } {
  let r = reason;
  let l = line;
  if (parsing && ENGINE.test(r))
    r = 'syntax error: the template is malformed (an unterminated string, tag or expression?)';
  else {
    r = r.replace(
      /Cannot read properties of (null|undefined) \(reading '([^']*)'\)/g,
      (_m, what: string, key: string) => `cannot read '${key}' of ${what === 'null' ? 'None' : 'an undefined value'}`,
    );
  }
  if (l === undefined && (parsing || AT_EOF.test(reason))) {
    const open = unclosedLine(text);
    if (open !== undefined) {
      l = open;
      r = `${r} (opened on this line and never closed)`;
    }
  }
  void file;
  return { line: l, reason: r };
}
