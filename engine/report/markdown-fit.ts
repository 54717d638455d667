// Fits a markdown document under the size a code host accepts for one comment (GitHub: 65536
// characters). The document is a list of blocks: headings and summaries always stay; table rows
// and collapsible details (diffs) are kept in document order while they fit, the rest are cut,
// and a closing note says what was cut.

/** GitHub's limit for an issue or pull-request comment body. */
export const COMMENT_LIMIT = 65536;
/** Room kept for the note and for redaction markers the final pass may lengthen. */
const RESERVE = 1500;

export interface MdBlock {
  text: string;
  /** fixed: always kept; row: a table row (cut from the end first); detail: a collapsible block. */
  kind: 'fixed' | 'row' | 'detail';
  /** What the block shows, for the note (a file's path, a state). */
  label?: string;
}

export function fitMarkdown(blocks: MdBlock[], limit = COMMENT_LIMIT): string {
  const join = (bs: MdBlock[]) => bs.map((b) => b.text).join('\n');
  const all = join(blocks);
  if (all.length + 1 <= limit) return `${all}\n`;
  const budget = limit - RESERVE;
  let used = blocks.filter((b) => b.kind === 'fixed').reduce((n, b) => n + b.text.length + 1, 0);
  const keep = new Set<MdBlock>();
  // table rows first (they name every state), then details, each in document order
  for (const kind of ['row', 'detail'] as const) {
    for (const b of blocks) {
      if (b.kind !== kind) continue;
      if (used + b.text.length + 1 <= budget) {
        keep.add(b);
        used += b.text.length + 1;
      }
    }
  }
  const cutRows = blocks.filter((b) => b.kind === 'row' && !keep.has(b));
  const cutDetails = blocks.filter((b) => b.kind === 'detail' && !keep.has(b));
  const out = blocks.filter((b) => b.kind === 'fixed' || keep.has(b));
  const names = cutDetails.map((b) => b.label).filter((l): l is string => !!l);
  const more = names.length > 10 ? `, and ${names.length - 10} more` : '';
  const shown = names
    .slice(0, 10)
    .map((n) => `\`${n.replace(/`/g, "'")}\``)
    .join(', ');
  const parts = [
    ...(cutDetails.length ? [`${cutDetails.length} diff/change block(s) (${shown}${more})`] : []),
    ...(cutRows.length ? [`${cutRows.length} table row(s) of states`] : []),
  ];
  const note =
    `\n> ✂️ Cut to fit one ${limit}-character comment: ${parts.join(' and ')} not shown. ` +
    'The full report: `--out json` or the highstate output.';
  let text = join(out);
  // fixed blocks alone too long (thousands of hosts): a hard cut, said so
  if (text.length + note.length + 1 > limit) text = `${text.slice(0, limit - note.length - 200)}\n\n(cut here)`;
  return `${text}\n${note}\n`;
}
