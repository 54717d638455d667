// The report formats and the colour decision, apart from the formatters so the CLI can declare
// its options without loading them.
export type OutFormat = 'highstate' | 'json' | 'markdown';
export const OUT_FORMATS: readonly OutFormat[] = ['highstate', 'json', 'markdown'];

/** Colour only on a TTY, never with NO_COLOR (any value) or TERM=dumb. */
export function wantColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}
