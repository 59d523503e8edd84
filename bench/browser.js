// npm run bench:browser: serves the repository (scripts/serve.js, strict CSP:
// script-src 'self' 'wasm-unsafe-eval'), runs bench/browser.html in headless Chromium
// (Debian /usr/bin/chromium through playwright-core) and prints the page's tables, then
// time to ready measured in fresh pages. BENCH_ROUNDS overrides the rounds per case.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 31);
const readyRuns = Number(process.env.BENCH_READY_RUNS ?? 7);
const { server, url } = await startServer({ index: '/bench/browser.html' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
let failed = false;
const lines = [];
const log = (s = '') => (lines.push(s), console.log(s));
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => ((failed = true), console.error('pageerror:', e.message)));
  page.on('console', (m) => m.type() === 'error' && ((failed = true), console.error('console error:', m.text())));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && ((failed = true), console.error('HTTP', r.status(), r.url())));
  await page.goto(`${url}/bench/browser.html?rounds=${rounds}`);
  await page.waitForFunction(() => window.__benchDone, null, { timeout: 30 * 60_000, polling: 1000 });
  const done = await page.evaluate(() => window.__benchDone);
  log(done.text);
  if (!done.ok) failed = true;
  await page.close();

  log('');
  log(`### Time to ready in Chromium (import web/index.js + createEngine in a fresh page, median of ${readyRuns})`);
  log('');
  log('| build | median | min–max |');
  log('|---|---:|---:|');
  for (const flavour of ['simd', 'base']) {
    const ms = [];
    for (let r = 0; r < readyRuns; r++) {
      const context = await browser.newContext();
      const p = await context.newPage();
      await p.goto(`${url}/bench/browser.html?ready=${flavour}`);
      await p.waitForFunction(() => window.__benchDone, null, { timeout: 60_000 });
      ms.push(await p.evaluate(() => window.__readyMs));
      await context.close();
    }
    ms.sort((a, b) => a - b);
    log(`| ${flavour === 'simd' ? 'SIMD' : 'baseline'} | ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms | ${ms[0].toFixed(1)}–${ms.at(-1).toFixed(1)} ms |`);
  }
} finally {
  await browser.close();
  server.close();
}
if (process.env.BENCH_OUT) fs.writeFileSync(process.env.BENCH_OUT, lines.join('\n') + '\n');
if (failed) {
  console.error('bench:browser: the page reported errors');
  process.exit(1);
}
