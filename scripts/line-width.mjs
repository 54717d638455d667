// Fails on a source line longer than 120 characters (Biome formats to that width but does not
// break strings or comments, and has no rule for it). One line per offender: file:line: length.
// `npm run lint` runs it after `biome check`.
import { readFileSync } from 'node:fs';
import fg from 'fast-glob';

const MAX = 120;
const files = await fg(['**/*.{ts,mts,cts,js,mjs,cjs}'], {
  ignore: ['**/node_modules/**', '**/dist/**', 'test/fixtures/**', 'states/**', 'pillar/**'],
  dot: false,
});
let bad = 0;
for (const file of files.sort()) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    // characters as an editor counts them (code points), not UTF-16 units
    const length = [...line.replace(/\r$/, '')].length;
    if (length > MAX) {
      bad++;
      console.error(`${file}:${i + 1}: ${length} characters (at most ${MAX})`);
    }
  });
}
if (bad) {
  console.error(
    `${bad} line(s) over ${MAX} characters: break long strings (concatenation, joined arrays) and ` + `comments`,
  );
  process.exit(1);
}
