// Runs the compaction workload on two JavaScript baselines in headless Chromium (through
// compare.html) and prints one JSON line per (baseline, step):
//   {"baseline", "workload", "median_ms", "iterations", "versions"}
// so that the engine's own numbers can be put side by side with them. Run from e2e/:
//   node bench/compare.mjs [arrow|duckdb ...]    (or --serve, to open the page by hand)
// It serves the page itself, offline: bench/ at / and e2e/node_modules/ at /node_modules/.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, newPage } from '../pages/browser.mjs';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../node_modules/', import.meta.url));

const WARMUP = 2;
const ITERATIONS = 9;

const BASELINES = {
  arrow: { packages: ['apache-arrow', 'parquet-wasm'] },
  duckdb: { packages: ['@duckdb/duckdb-wasm', '@duckdb/duckdb-wasm/node_modules/apache-arrow'] },
};

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm', // WebAssembly.instantiateStreaming refuses any other type
  '.map': 'application/json',
};

/** Resolves a URL path to a file under bench/ or node_modules/, or null if it escapes both. */
function resolvePath(urlPath) {
  const path = normalize(decodeURIComponent(urlPath));
  const [root, rest] = path.startsWith('/node_modules/')
    ? [NODE_MODULES, path.slice('/node_modules/'.length)]
    : [BENCH_DIR, path.slice(1) || 'compare.html'];
  const file = join(root, rest);
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

function serve() {
  const server = createServer(async (request, response) => {
    const file = resolvePath(new URL(request.url, 'http://localhost').pathname);
    try {
      if (file === null || !(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      response.writeHead(200, {
        'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const packageVersion = (name) =>
  JSON.parse(readFileSync(join(NODE_MODULES, name, 'package.json'), 'utf8')).version;

/**
 * Opens compare.html for one baseline in a fresh context and fails on anything that leaves this
 * origin: the point of the baselines is that they run offline, so a CDN fetch must not pass
 * silently (or hang until a network timeout).
 */
async function openBench(browser, origin, id) {
  const page = await newPage(browser);
  const offOrigin = [];
  await page.context().route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    offOrigin.push(url);
    return route.abort();
  });
  page.check = () => {
    const problems = [...page.errors, ...offOrigin.map((url) => `off-origin request: ${url}`)];
    if (problems.length) throw new Error(`${id}: ${problems.join('; ')}`);
  };
  await page.goto(`${origin}/compare.html?baseline=${id}`);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready');
  return page;
}

const args = process.argv.slice(2);
const serveOnly = args[0] === '--serve';
const selected = serveOnly || !args.length ? Object.keys(BASELINES) : args;
for (const id of selected) {
  if (!BASELINES[id]) throw new Error(`unknown baseline ${id}`);
  // A node_modules/ from before these packages were added would otherwise fail as a 404 in the page.
  for (const pkg of BASELINES[id].packages) {
    if (!existsSync(join(NODE_MODULES, pkg, 'package.json'))) throw new Error(`${pkg} is not installed: run \`npm ci\` in e2e/`);
  }
}

const server = await serve();
const origin = `http://127.0.0.1:${server.address().port}`;
if (serveOnly) {
  // For looking at the page in a browser by hand; runs until interrupted.
  console.log(`serving ${origin}/compare.html?baseline=${selected.join('|')}`);
  await new Promise(() => {});
}

const browser = await launch();
try {
  for (const id of selected) {
    // One new browser context per sample, so every one starts with empty HTTP and wasm code caches.
    const instantiateTimes = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const page = await openBench(browser, origin, id);
      instantiateTimes.push(await page.evaluate(() => window.bench.instantiate()));
      page.check();
      await page.context().close();
    }

    const page = await openBench(browser, origin, id);
    await page.evaluate(() => window.bench.instantiate());
    const name = await page.evaluate(() => window.bench.name);
    const versions = Object.fromEntries(BASELINES[id].packages.map((pkg) =>
      [pkg.replace('@duckdb/duckdb-wasm/node_modules/', ''), packageVersion(pkg)]));
    Object.assign(versions, await page.evaluate(() => window.bench.versions()));
    versions.chromium = browser.version();

    const report = (workload, times) => console.log(JSON.stringify({
      baseline: name, workload, median_ms: Number(median(times).toFixed(3)), iterations: times.length, versions,
    }));
    report('instantiate', instantiateTimes);
    for (const step of ['ctas', 'group_by']) {
      const times = await page.evaluate(([s, w, n]) => window.bench.run(s, w, n), [step, WARMUP, ITERATIONS]);
      page.check();
      report(step, times);
      if (process.env.BENCH_VERBOSE) console.error(`${id} ${step}: ${times.map((t) => t.toFixed(1)).join(' ')}`);
    }
    await page.context().close();
  }
} finally {
  await browser.close();
  server.close();
}
