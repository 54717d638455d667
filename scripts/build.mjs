// Bundles the CLI into dist/brine.mjs (dependencies stay in node_modules) plus dist/chunk-*.mjs:
// code splitting keeps each command's work (and its dependencies: ssh2, nunjucks, ajv...) in
// chunks that load only when that command runs, so start-up stays small.
// `node scripts/build.mjs --standalone` bundles everything into dist/brine-standalone.mjs,
// a single file that runs on the distribution's own nodejs (Debian 12: 18.19); there the
// commands' modules are still initialised lazily, on their first dynamic import.
// The validators of the schemas brine ships are generated here (ajv's standalone code, see
// engine/standalone-validators.ts) and take the place of engine/precompiled.ts in the bundle, so a
// run compiles no schema.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const standalone = process.argv.includes('--standalone');

/**
 * Writes the build's files so that a brine already running from dist/ never reads a missing or half
 * written one (several test files rebuild while others run brine): a file whose bytes did not change
 * is left alone, a changed one is written beside it and renamed over it; then the chunks of earlier
 * builds are removed (their names carry a content hash, so none is rewritten in place).
 */
function writeOutputs(files) {
  const written = new Set();
  for (const f of files) {
    written.add(f.path);
    mkdirSync(dirname(f.path), { recursive: true });
    if (existsSync(f.path) && readFileSync(f.path).equals(f.contents)) continue;
    const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`);
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  if (standalone || !existsSync('dist')) return;
  for (const e of readdirSync('dist', { withFileTypes: true })) {
    const path = resolve('dist', e.name);
    if (e.isFile() && /^chunk-.*\.mjs(\.map)?$/.test(e.name) && !written.has(path)) rmSync(path);
  }
}
/** The generated validators' module (bundles scripts/shipped-schemas.ts under .cache/ and runs it). */
async function shippedValidators() {
  mkdirSync('.cache', { recursive: true });
  const gen = resolve('.cache/shipped-schemas.mjs');
  await build({
    entryPoints: ['scripts/shipped-schemas.ts'],
    outfile: gen,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  try {
    return (await import(pathToFileURL(gen).href)).shippedValidators();
  } finally {
    rmSync(gen, { force: true });
  }
}

const validators = await shippedValidators();
const precompiled = {
  name: 'precompiled-validators',
  setup(b) {
    b.onLoad({ filter: /[\\/]engine[\\/]precompiled\.ts$/ }, () => ({
      contents: validators,
      loader: 'js',
      resolveDir: resolve('engine'),
    }));
  },
};

const out = await build({
  plugins: [precompiled],
  write: false,
  entryPoints: standalone ? ['bin/cli.ts'] : { brine: 'bin/cli.ts' },
  ...(standalone
    ? { outfile: 'dist/brine-standalone.mjs' }
    : { outdir: 'dist', splitting: true, chunkNames: 'chunk-[hash]', outExtension: { '.js': '.mjs' } }),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  sourcemap: standalone ? false : 'linked',
  // ssh2 stays a package of node_modules in the split build: it loads its optional native crypto
  // binding from its own directory (the standalone bundle runs without it)
  external: standalone ? ['cpu-features', '*.node'] : ['ssh2'],
  banner: {
    js:
      "import { createRequire as __brineCreateRequire } from 'node:module'; const require = " +
      '__brineCreateRequire(import.meta.url);' +
      // bundled CommonJS (ssh2) uses __dirname/__filename, which ESM does not define
      " import { fileURLToPath as __brineToPath } from 'node:url'; import { dirname as __brineDirname } from " +
      "'node:path';" +
      ' const __filename = __brineToPath(import.meta.url); const __dirname = __brineDirname(__filename);',
  },
  logLevel: 'warning',
});
writeOutputs(out.outputFiles);
