// Runs every engine workload compiled to wasm in headless Chromium (through bench.html) and
// prints one JSON line per workload: {"workload", "wasm_median_ms", "iterations"}.
import { launch, newPage, BASE_URL } from '../pages/browser.mjs';

const WARMUP = 3;
const ITERATIONS = 21;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const browser = await launch();
try {
  const page = await newPage(browser);
  await page.goto(new URL('bench.html', BASE_URL).href);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready');
  const workloads = await page.evaluate(() => window.workloads);
  const instantiate = await page.evaluate(() => window.instantiateMs);
  console.log(JSON.stringify({ workload: 'instantiate', wasm_median_ms: Number(instantiate.toFixed(3)), iterations: 1 }));
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
