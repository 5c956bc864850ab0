// The offline workshop: after one visit the service worker serves the whole app with the server
// gone, and the single-file build runs from file:// with no server at all. Neither makes a request
// that leaves the page's origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, newPage, screenshot } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';
import { serveStatic } from '../pages/static-server.mjs';

const DIST = process.env.DIST_DIR ?? new URL('../../dist', import.meta.url).pathname;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Records every request the page makes whose origin is not `origin` (file: counts as its own). */
function foreignRequests(page, origin) {
  const foreign = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.origin !== origin && url.protocol !== 'file:') foreign.push(request.url());
  });
  return foreign;
}

test('after one visit the app and its lessons work with the server gone', async () => {
  const server = await serveStatic(DIST);
  const page = await newPage(browser);
  const foreign = foreignRequests(page, new URL(server.url).origin);
  const app = new PlaygroundPage(page);
  await app.open(server.url);
  // The first visit installs the worker and caches every file.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  await server.close();

  await page.goto(`${server.url}?lesson=kafka-topics&lang=ko`);
  await page.getByTestId('lesson-title').waitFor();
  const block = await app.type('aws s3 mb s3://offline-bucket');
  assert.equal(await block.getAttribute('data-ok'), 'true', await block.textContent());
  assert.match(await block.textContent(), /make_bucket: offline-bucket/);
  await screenshot(page, '80-offline-service-worker');
  assert.deepEqual(foreign, []);
  assert.deepEqual(page.errors, []);
});

test('the single-file build runs from file:// with no server', async () => {
  const file = join(DIST, 'playground-offline.html');
  assert.ok(existsSync(file), `${file} is missing: run cargo xtask dist --single-file`);
  const page = await newPage(browser);
  const foreign = foreignRequests(page, 'null');
  const app = new PlaygroundPage(page);
  await app.open(`${pathToFileURL(file).href}?lesson=kafka-acks&lang=en`);
  await page.getByTestId('lesson-title').waitFor();
  const before = Date.parse(await app.clockText());
  const block = await app.type('sim advance 1m');
  assert.equal(await block.getAttribute('data-ok'), 'true', await block.textContent());
  assert.equal(Date.parse(await app.clockText()) - before, 60_000);
  await screenshot(page, '81-single-file');
  assert.deepEqual(foreign, []);
  assert.deepEqual(page.errors, []);
});
