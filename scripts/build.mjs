// Bundles the CLI into dist/brine.mjs (dependencies stay in node_modules).
// `node scripts/build.mjs --standalone` bundles everything into dist/brine-standalone.mjs,
// a single file that runs on the distribution's own nodejs (Debian 12: 18.19).
import { build } from 'esbuild';

const standalone = process.argv.includes('--standalone');
await build({
  entryPoints: ['bin/cli.ts'],
  outfile: standalone ? 'dist/brine-standalone.mjs' : 'dist/brine.mjs',
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
          "import { createRequire as __brineCreateRequire } from 'node:module'; const require = __brineCreateRequire(import.meta.url);" +
          // bundled CommonJS (ssh2) uses __dirname/__filename, which ESM does not define
          " import { fileURLToPath as __brineToPath } from 'node:url'; import { dirname as __brineDirname } from 'node:path';" +
          ' const __filename = __brineToPath(import.meta.url); const __dirname = __brineDirname(__filename);',
      }
    : {},
  logLevel: 'warning',
});
