// The npm package as users get it: `npm pack`, install the tarball into an empty folder
// outside the repository, then use it from node, from a Vite production build and from
// a plain <script type="module"> page (both in Chromium, strict CSP), check which .wasm
// each one fetches, the forced no-SIMD fallback, wasmUrl, and the types through `exports`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.js';
import { launch, open, pageResult, chromiumMissing } from '../package/browser.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(REPO, 'tests/package/app');
// What the repository's own web/index.js answers for the scenario of tests/package/app/shared.js
// (computed in before()); d, closest to the clicked b, must come first.
let EXPECTED;
const built = fs.existsSync(path.join(REPO, 'dist/interest_engine_base.wasm'));
const noBuild = built ? false : 'dist/ is not built (bash scripts/build.sh wasm)';
const skipBrowser = noBuild || chromiumMissing();

let tmp;
let app;
let tarball;
let browser;
const servers = [];

function sh(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

before(async () => {
  if (noBuild) return;
  const { createEngine } = await import('../../web/index.js');
  const scenario = await import('../package/app/shared.js');
  const reference = await createEngine({ dim: scenario.dim });
  reference.upsertItems(scenario.ids, scenario.vectors);
  reference.observe(scenario.events);
  EXPECTED = reference.rerank(scenario.candidates, scenario.rankOptions).ids;
  reference.dispose();
  assert.equal(EXPECTED[0], 'd');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-package-'));
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', tmp], REPO));
  tarball = path.join(tmp, packed[0].filename);
  app = path.join(tmp, 'app');
  fs.cpSync(FIXTURE, app, { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'ie-consumer', private: true, type: 'module' }));
  // The tarball has no dependencies: this needs no network.
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], app);
  fs.mkdirSync(path.join(app, 'hosted'));
  const pkg = path.join(app, 'node_modules/interest-engine/dist');
  fs.copyFileSync(path.join(pkg, 'interest_engine_simd.wasm'), path.join(app, 'hosted/simd-copy.wasm'));
  fs.copyFileSync(path.join(pkg, 'interest_engine_base.wasm'), path.join(app, 'hosted/base-copy.wasm'));
  fs.copyFileSync(path.join(pkg, 'interest_engine_simd.wasm'), path.join(app, 'hosted/worker-copy.wasm'));
  if (!skipBrowser) browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.server.close();
  if (tmp && !process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
});

async function serve(root) {
  const s = await startServer({ port: 0, root, index: '/index.html' });
  servers.push(s);
  return s;
}

const wasmRequests = (requested) => requested.filter((u) => /\.wasm(\?|$)/.test(u)).map((u) => new URL(u).pathname);

test('the tarball holds exactly the files list', { skip: noBuild }, () => {
  const listing = sh('tar', ['-tzf', tarball], tmp).trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
  assert.deepEqual(listing, [
    'LICENSE', 'README.md',
    'dist/interest_engine_base.mjs', 'dist/interest_engine_base.wasm', 'dist/interest_engine_simd.mjs', 'dist/interest_engine_simd.wasm',
    'package.json',
    'web/dom-events.d.ts', 'web/dom-events.js', 'web/index.d.ts', 'web/index.js', 'web/persistence.js',
    'web/worker-client.d.ts', 'web/worker-client.js', 'web/worker.js',
  ]);
});

test('node: import the installed package and re-rank', { skip: noBuild }, () => {
  const out = JSON.parse(sh(process.execPath, ['node-check.mjs'], app));
  assert.equal(out.backend, 'wasm-simd128');
  assert.deepEqual(out.ids, EXPECTED);
  assert.equal(out.baseBackend, 'wasm');
  assert.deepEqual(out.baseIds, EXPECTED);
  assert.deepEqual(out.resolved, [
    'interest-engine/web/worker-client.js', 'interest-engine/web/dom-events.js', 'interest-engine/web/worker.js',
    'interest-engine/dist/interest_engine_simd.wasm', 'interest-engine/dist/interest_engine_base.wasm',
  ]);
});

test('types: tsc --strict compiles the usage example against the installed package (exports → types)', { skip: noBuild }, () => {
  fs.copyFileSync(path.join(REPO, 'tests/package/usage.ts'), path.join(app, 'usage.ts'));
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], skipLibCheck: false, types: [] },
    files: ['usage.ts'],
  }));
  sh(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
});

test('Vite production build runs in Chromium (page + worker; SIMD build fetched)', { skip: skipBrowser }, async () => {
  const { build, createLogger } = await import('vite');
  const warnings = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  logger.warn = (msg) => warnings.push(msg);
  logger.warnOnce = (msg) => warnings.push(msg);
  await build({
    root: app,
    configFile: false,
    customLogger: logger,
    // The worker lazy-loads one of two builds (code splitting): Vite needs ES-module workers.
    worker: { format: 'es' },
    build: {
      outDir: path.join(app, 'dist-vite'),
      emptyOutDir: true,
      rollupOptions: { input: { main: path.join(app, 'index.html'), nosimd: path.join(app, 'nosimd.html') } },
    },
  });
  assert.deepEqual(warnings, [], 'the package builds without warnings');
  const assets = fs.readdirSync(path.join(app, 'dist-vite/assets'));
  assert.ok(assets.some((f) => /^interest_engine_simd.*\.wasm$/.test(f)), `simd wasm emitted: ${assets}`);
  assert.ok(assets.some((f) => /^interest_engine_base.*\.wasm$/.test(f)), `base wasm emitted: ${assets}`);
  const { url } = await serve(path.join(app, 'dist-vite'));

  const main = await open(browser, `${url}/index.html`);
  const r = await pageResult(main.page);
  assert.equal(r.backend, 'wasm-simd128');
  assert.equal(r.workerBackend, 'wasm-simd128');
  assert.deepEqual(r.ids, EXPECTED);
  assert.deepEqual(r.workerIds, EXPECTED);
  const wasm = wasmRequests(main.requested);
  assert.ok(wasm.length >= 2 && wasm.every((p) => /^\/assets\/interest_engine_simd[^/]*\.wasm$/.test(p)), `wasm requests: ${wasm}`);
  assert.ok(main.requested.some((u) => /\/assets\/worker[^/]*\.js$/.test(u)), 'the worker was bundled and loaded');
  assert.deepEqual(main.problems, []);

  const nosimd = await open(browser, `${url}/nosimd.html`);
  const n = await pageResult(nosimd.page);
  assert.deepEqual(n, { simdSupported: false, backend: 'wasm', ids: EXPECTED });
  const nwasm = wasmRequests(nosimd.requested);
  assert.ok(nwasm.length === 1 && /^\/assets\/interest_engine_base[^/]*\.wasm$/.test(nwasm[0]), `wasm requests: ${nwasm}`);
  assert.deepEqual(nosimd.problems, []);
});

test('plain <script type="module"> page, no bundler (strict CSP)', { skip: skipBrowser }, async () => {
  const { url } = await serve(app);
  const main = await open(browser, `${url}/plain/index.html`);
  const r = await pageResult(main.page);
  assert.deepEqual(r, { backend: 'wasm-simd128', ids: EXPECTED, workerIds: EXPECTED });
  assert.deepEqual(wasmRequests(main.requested), [
    '/node_modules/interest-engine/dist/interest_engine_simd.wasm',
    '/node_modules/interest-engine/dist/interest_engine_simd.wasm',
  ]);
  assert.deepEqual(main.problems, []);
});

test('no wasm SIMD (WebAssembly.validate forced false): the baseline build loads', { skip: skipBrowser }, async () => {
  const { url } = await serve(app);
  const page = await open(browser, `${url}/plain/nosimd.html`);
  assert.deepEqual(await pageResult(page.page), { backend: 'wasm', ids: EXPECTED });
  assert.deepEqual(wasmRequests(page.requested), ['/node_modules/interest-engine/dist/interest_engine_base.wasm']);
  assert.deepEqual(page.problems, []);
});

test('wasmUrl: the glue fetches exactly the given URL (page and worker)', { skip: skipBrowser }, async () => {
  const { url } = await serve(app);
  const page = await open(browser, `${url}/plain/wasmurl.html`);
  assert.deepEqual(await pageResult(page.page), { backend: 'wasm-simd128', baseBackend: 'wasm', workerBackend: 'wasm-simd128', ids: EXPECTED });
  assert.deepEqual(wasmRequests(page.requested).sort(), ['/hosted/base-copy.wasm', '/hosted/simd-copy.wasm', '/hosted/worker-copy.wasm']);
  assert.deepEqual(page.problems, []);
});
