// PyYAML (Salt's loader) does not check the indentation of a quoted scalar's continuation lines:
//     - contents: 'Welcome!
//
//   '
// is "Welcome!\n" to Salt. Salt's own `|yaml` filter writes such text for a string with a newline
// (PyYAML's single-quoted multi-line form, then stripped), and the yaml library refuses it (a
// continuation line must be indented more than its block). Leading white space of a continuation
// line is not part of the value, so indenting those lines changes nothing but the parse: this pass
// does that, line count unchanged, for a text that failed to parse as it is.
import {
  type Document,
  LineCounter,
  parseDocument,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';

const BLOCK_HEADER = /[|>][-+0-9]*\s*(#.*)?$/;

/** Where a line's value starts when it is a quoted scalar: after indentation, `- ` items and a key. */
const VALUE_QUOTE =
  /^(\s*)((?:-[ \t]+)*)(?:((?:[^'"#\s-][^#]*?|'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"))[ \t]*:[ \t]+)?(['"])/;

/** Index just after the closing quote of the scalar opened at `from` (the quote), or -1 if not on this line. */
function closeOnLine(line: string, from: number, q: string): number {
  for (let i = from + 1; i < line.length; i++) {
    const c = line[i];
    if (q === '"' && c === '\\') i++;
    else if (c === q) {
      if (q === "'" && line[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  return -1;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** The text with under-indented continuation lines of quoted scalars indented; null when none were. */
export function indentQuotedContinuations(text: string): string | null {
  const lines = text.split('\n');
  let changed = false;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const m = VALUE_QUOTE.exec(line);
    if (!m) {
      // a block scalar: its content lines (more indented than the line that opens it) are text
      if (BLOCK_HEADER.test(line) && !line.trimStart().startsWith('#')) {
        const base = indentOf(line);
        i++;
        while (i < lines.length && (lines[i]!.trim() === '' || indentOf(lines[i]!) > base)) i++;
        continue;
      }
      i++;
      continue;
    }
    const q = m[4]!;
    const quoteAt = m[0].length - 1;
    // the node that owns the value: the key's column, or the last `- ` item's
    const owner = m[3] !== undefined ? m[1]!.length + m[2]!.length : quoteAt - 1;
    let at = closeOnLine(line, quoteAt, q);
    i++;
    while (at < 0 && i < lines.length) {
      const next = lines[i]!;
      if (next.trim() !== '' && indentOf(next) <= owner) {
        lines[i] = ' '.repeat(quoteAt) + next.trimStart();
        changed = true;
      }
      at = closeOnLine(lines[i]!, -1, q);
      i++;
    }
  }
  return changed ? lines.join('\n') : null;
}

type ReadOptions = ParseOptions & DocumentOptions & SchemaOptions;

/** parseDocument with PyYAML's leniency above: the text as it is, else re-indented if that parses. */
export function parseAsPyYaml(text: string, options: ReadOptions): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...options, lineCounter, prettyErrors: true });
  const lenient = doc.errors.length ? indentQuotedContinuations(text) : null;
  if (lenient === null) return { doc, lineCounter };
  const again = new LineCounter();
  const d2 = parseDocument(lenient, { ...options, lineCounter: again, prettyErrors: true });
  return d2.errors.length ? { doc, lineCounter } : { doc: d2, lineCounter: again };
}
