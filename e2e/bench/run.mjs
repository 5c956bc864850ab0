// Runs every engine workload compiled to wasm in headless Chromium (through bench.html) and
// prints one JSON line per workload: {"workload", "wasm_median_ms", "iterations"}. The first
// lines time a fresh browser context (empty caches): "instantiate" is loading the JS, fetching,
// compiling and instantiating the wasm and making a first world — the same measure as the JS
// baselines' instantiate step in compare.mjs — and "instantiate_from_bytes" only the compile,
// instantiate and first world once the bytes are in memory. Then the app itself: "first_render"
// is navigation to the first meaningful render in a fresh context, and "play_x1000_frame" the
// median time between frames while playing at ×1000 with 12 partitions and 10,000 records.
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

/**
 * Milliseconds from navigation to the app's first meaningful render (the timeline's clock is on
 * screen), in a fresh context: nothing cached, no service worker yet.
 */
async function firstRenderMs(browser) {
  const page = await newPage(browser);
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid=sim-clock]')) {
        window.firstRenderMs = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(new URL('index.html', BASE_URL).href);
  await page.waitForFunction(() => window.firstRenderMs !== undefined);
  const ms = await page.evaluate(() => window.firstRenderMs);
  await page.context().close();
  return ms;
}

/**
 * Frame times while playing at ×1000 with a 12-partition topic holding 10,000 records on screen
 * and a consumer group reading it: the median time between animation frames over 3 s.
 */
async function playFrameMs(browser) {
  const page = await newPage(browser);
  await page.goto(new URL('index.html', BASE_URL).href);
  const input = page.getByTestId('terminal-input');
  for (const line of [
    'sim kafka create-cluster --brokers 3 --mode kraft',
    'kafka-topics.sh --bootstrap-server localhost:9092 --create --topic load --partitions 12 --replication-factor 3',
    'kafka-producer-perf-test.sh --topic load --num-records 10000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092',
    'kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic load --group readers &',
  ]) {
    await input.fill(line);
    await input.press('Enter');
  }
  await page.getByTestId('speed').selectOption('1000');
  await page.getByTestId('play').click();
  const frames = await page.evaluate(() => new Promise((resolve) => {
    const times = [];
    const start = performance.now();
    const frame = (now) => {
      times.push(now);
      if (now - start < 3000) requestAnimationFrame(frame);
      else resolve(times);
    };
    requestAnimationFrame(frame);
  }));
  await page.getByTestId('play').click();
  if (page.errors.length) throw new Error(`play page errors: ${page.errors.join('; ')}`);
  await page.context().close();
  return frames.slice(1).map((t, i) => t - frames[i]);
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
  if (!only) {
    const renders = [];
    for (let i = 0; i < INSTANTIATE_RUNS; i++) renders.push(await firstRenderMs(browser));
    instantiate.first_render = renders;
    // Reported as the median frame time; 16.7 ms is 60 fps.
    instantiate.play_x1000_frame = await playFrameMs(browser);
  }
  for (const [workload, times] of Object.entries(only ? {} : instantiate)) {
    console.log(JSON.stringify({
      workload,
      wasm_median_ms: Number(median(times).toFixed(3)),
      iterations: times.length,
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
