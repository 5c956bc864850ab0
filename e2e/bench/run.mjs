// Runs every engine workload compiled to wasm in headless Chromium (through bench.html) and
// prints one JSON line per workload: {"workload", "wasm_median_ms", "iterations"}. The first
// line, "instantiate", is loading the module and making a first world in a fresh browser context
// (empty caches) — the same measure as the JS baselines' instantiate step in compare.mjs.
import { launch, newPage, BASE_URL } from '../pages/browser.mjs';

const WARMUP = 3;
const ITERATIONS = 21;
const INSTANTIATE_RUNS = 9;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function openBenchPage(browser) {
  const page = await newPage(browser);
  await page.goto(new URL('bench.html', BASE_URL).href);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready');
  return page;
}

const browser = await launch();
try {
  const instantiate = [];
  for (let i = 0; i < INSTANTIATE_RUNS; i++) {
    const fresh = await openBenchPage(browser);
    instantiate.push(await fresh.evaluate(() => window.instantiateMs));
    await fresh.context().close();
  }
  console.log(JSON.stringify({
    workload: 'instantiate',
    wasm_median_ms: Number(median(instantiate).toFixed(3)),
    iterations: INSTANTIATE_RUNS,
  }));
  const page = await openBenchPage(browser);
  const workloads = await page.evaluate(() => window.workloads);
  for (const workload of workloads) {
    const times = await page.evaluate(
      ([name, warmup, iterations]) => window.runBench(name, warmup, iterations),
      [workload, WARMUP, ITERATIONS],
    );
    const wasm_median_ms = Number(median(times).toFixed(3));
    console.log(JSON.stringify({ workload, wasm_median_ms, iterations: ITERATIONS }));
  }
  if (page.errors.length) throw new Error(`bench page errors: ${page.errors.join('; ')}`);
} finally {
  await browser.close();
}
