// Bundles the CLI into dist/brine.mjs (dependencies stay in node_modules) plus dist/chunk-*.mjs:
// code splitting keeps each command's work (and its dependencies: ssh2, nunjucks, ajv...) in
// chunks that load only when that command runs, so start-up stays small.
// `node scripts/build.mjs --standalone` bundles everything into dist/brine-standalone.mjs,
// a single file that runs on the distribution's own nodejs (Debian 12: 18.19); there the
// commands' modules are still initialised lazily, on their first dynamic import.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const standalone = process.argv.includes('--standalone');
if (!standalone && existsSync('dist')) {
  // chunk names carry a content hash: drop the previous build's so none go stale
  for (const f of readdirSync('dist', { withFileTypes: true }).filter((e) => e.isFile())) {
    if (/^chunk-.*\.mjs(\.map)?$/.test(f.name)) rmSync(join('dist', f.name));
  }
}
await build({
  entryPoints: standalone ? ['bin/cli.ts'] : { brine: 'bin/cli.ts' },
  ...(standalone
    ? { outfile: 'dist/brine-standalone.mjs' }
    : { outdir: 'dist', splitting: true, chunkNames: 'chunk-[hash]', outExtension: { '.js': '.mjs' } }),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  sourcemap: standalone ? false : 'linked',
  packages: standalone ? undefined : 'external',
  external: standalone ? ['cpu-features', '*.node'] : [],
  banner: standalone
    ? {
        js:
          "import { createRequire as __brineCreateRequire } from 'node:module'; const require = " +
          '__brineCreateRequire(import.meta.url);' +
          // bundled CommonJS (ssh2) uses __dirname/__filename, which ESM does not define
          " import { fileURLToPath as __brineToPath } from 'node:url'; import { dirname as __brineDirname } from " +
          "'node:path';" +
          ' const __filename = __brineToPath(import.meta.url); const __dirname = __brineDirname(__filename);',
      }
    : {},
  logLevel: 'warning',
});
