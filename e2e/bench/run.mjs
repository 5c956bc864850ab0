// Runs every engine workload compiled to wasm in headless Chromium (through bench.html) and
// prints one JSON line per workload: {"workload", "wasm_median_ms", "iterations"}. The first
// lines time a fresh browser context (empty caches): "instantiate" is loading the JS, fetching,
// compiling and instantiating the wasm and making a first world — the same measure as the JS
// baselines' instantiate step in compare.mjs — and "instantiate_from_bytes" only the compile,
// instantiate and first world once the bytes are in memory.
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

// BENCH_ONLY=a,b runs just those workloads (and skips the instantiation timings).
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);

const browser = await launch();
try {
  const instantiate = { instantiate: [], instantiate_from_bytes: [] };
  for (let i = 0; i < (only ? 0 : INSTANTIATE_RUNS); i++) {
    const fresh = await openBenchPage(browser);
    const [total, fromBytes] = await fresh.evaluate(() => [window.instantiateMs, window.instantiateFromBytesMs]);
    instantiate.instantiate.push(total);
    instantiate.instantiate_from_bytes.push(fromBytes);
    await fresh.context().close();
  }
  for (const [workload, times] of Object.entries(only ? {} : instantiate)) {
    console.log(JSON.stringify({
      workload,
      wasm_median_ms: Number(median(times).toFixed(3)),
      iterations: INSTANTIATE_RUNS,
    }));
  }
  const page = await openBenchPage(browser);
  const workloads = (await page.evaluate(() => window.workloads)).filter((w) => !only || only.includes(w));
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
