// Where a template's unclosed block starts: nunjucks reports "unexpected end of file" (a truncated
// `{%- for ...`, an `{% if %}` without `{% endif %}`) with no line. This scans the tags and returns
// the line of the innermost block still open at the end, or of a tag left unterminated.

const OPENERS = new Set(['for', 'if', 'macro', 'call', 'filter', 'raw', 'verbatim', 'with', 'block', 'set', 'load_yaml', 'load_json', 'load_text', 'import_yaml']);

/** 1-based line of the block (or tag, comment, expression) left open at the end of `text`, if any. */
export function unclosedLine(text: string): number | undefined {
  const stack: Array<{ tag: string; line: number }> = [];
  const lineAt = (i: number): number => text.slice(0, i).split('\n').length;
  const re = /\{%-?\s*(\w+)([^]*?)(-?%\})|\{%|\{#|\{\{/g;
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
