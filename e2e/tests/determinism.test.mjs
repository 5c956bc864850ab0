// Same seed + same commands => the same trace natively and in the browser: the native
// `playground` binary and the wasm build must print the same trace hash for examples/determinism.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BASE_URL, launch, newPage } from '../pages/browser.mjs';

const script = readFileSync(new URL('../../examples/determinism.sh', import.meta.url), 'utf8');

function nativeHash(seed) {
  const bin = process.env.PLAYGROUND_BIN;
  assert.ok(bin, 'PLAYGROUND_BIN must point at the native playground binary (cargo xtask test sets it)');
  const out = execFileSync(bin, ['--seed', String(seed)], { input: `${script}\nsim trace --hash\n` });
  return out.toString().trim().split('\n').pop();
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const seed of [1, 42]) {
  test(`trace hash for seed ${seed} is the same natively and in wasm`, async () => {
    const page = await newPage(browser);
    await page.goto(new URL('api-example.html', BASE_URL).href);
    const wasm = await page.evaluate(async ({ script, seed }) => {
      const { default: init, Playground } = await import('./pkg/playground.js');
      await init();
      const world = new Playground(seed);
      const outcome = world.exec(script);
      return { ok: outcome.ok, output: outcome.output, hash: world.traceHash() };
    }, { script, seed });
    assert.ok(wasm.ok, wasm.output);
    const native = nativeHash(seed);
    assert.match(native, /^sha256:[0-9a-f]{64}$/);
    assert.equal(wasm.hash, native);
  });
}
