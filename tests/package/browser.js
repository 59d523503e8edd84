// Shared helpers of the package / worker / dom-events browser tests: Debian's Chromium
// through playwright-core, and a page runner that fails on any page error, console error
// or 4xx/5xx response, and records every URL the page requested.
import { chromium } from 'playwright-core';
import fs from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing() {
  return fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens url in a fresh page; returns { page, problems, requested } (requested: every URL, workers included). */
export async function open(browser, url, { viewport = { width: 800, height: 600 } } = {}) {
  const context = await browser.newContext({ viewport });
  await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204, body: '' }));
  const page = await context.newPage();
  const problems = [];
  const requested = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  context.on('request', (r) => requested.push(r.url()));
  context.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
  await page.goto(url);
  return { page, context, problems, requested };
}

/** Waits for window.__result (set by the page's script) and returns it; throws window.__error. */
export async function pageResult(page, timeout = 20000) {
  await page.waitForFunction(() => window.__result !== undefined || window.__error !== undefined, null, { timeout });
  const { result, error } = await page.evaluate(() => ({ result: window.__result, error: window.__error }));
  if (error !== undefined) throw new Error(`page failed: ${error}`);
  return result;
}
