// "did you mean": the closest known name to a misspelt one (edit distance with transpositions).

/** Edit distance with transpositions (optimal string alignment). */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest of `known` to `word`, if close enough to be a typo (about a third of its letters). */
export function closest(word: string, known: Iterable<string>): string | undefined {
  let best: [string, number] | undefined;
  for (const k of known) {
    const dist = distance(word, k);
    if (!best || dist < best[1]) best = [k, dist];
  }
  return best && best[1] <= Math.max(1, Math.floor(word.length / 3)) ? best[0] : undefined;
}

/** ` (did you mean 'x'?)` or ''. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const c = closest(word, known);
  return c ? ` (did you mean '${c}'?)` : '';
}
