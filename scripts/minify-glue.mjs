// Post-link step of the wasm build: minifies the Emscripten JS glue (names too, which
// emcc only does with --closure, and Debian's emscripten ships no closure compiler).
// wasm/extern-pre.js is put back verbatim: its bundler comments (webpackIgnore,
// @vite-ignore) must survive, and esbuild drops them. Without esbuild (no npm install
// yet) the glue is left as emcc wrote it: same behaviour, only larger.
//   node scripts/minify-glue.mjs <glue.mjs> <extern-pre.js>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [gluePath, preludePath] = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let esbuild;
try {
  esbuild = await import(pathToFileURL(path.join(root, 'node_modules/esbuild/lib/main.js')).href);
} catch {
  console.warn(`minify-glue: esbuild not found, ${path.basename(gluePath)} left unminified`);
  process.exit(0);
}
const glue = fs.readFileSync(gluePath, 'utf8');
const prelude = fs.readFileSync(preludePath, 'utf8');
if (!glue.startsWith(prelude)) {
  if (glue.includes('ieNodeWasmBinary') && !glue.includes('@vite-ignore')) process.exit(0);  // already minified
  throw new Error(`minify-glue: ${gluePath} does not start with ${preludePath}`);
}
const { code } = esbuild.transformSync(glue.slice(prelude.length), {
  minify: true,
  format: 'esm',
  target: 'es2020',
  loader: 'js',
});
fs.writeFileSync(gluePath, prelude + code);
