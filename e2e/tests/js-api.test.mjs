// The JavaScript API from a plain host page that loads only pkg/playground.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, newPage, screenshot } from '../pages/browser.mjs';

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
  await page.goto(new URL('api-example.html', BASE_URL).href);
  await page.waitForFunction(() => document.getElementById('out').textContent.includes('trace:'));
});
after(async () => { await browser?.close(); });

test('the example host page drives a world without the UI', async () => {
  const text = await page.locator('#out').textContent();
  assert.match(text, /\$ sim time\n2022-06-12T00:01:00Z/);
  assert.match(text, /now: 2022-06-12T00:02:00\.000Z/);
  await screenshot(page, '10-api-example');
  assert.deepEqual(page.errors, []);
});

test('exec, advance, now, trace, traceHash and undo', async () => {
  const result = await page.evaluate(async () => {
    const { Playground } = await import('./pkg/playground.js');
    const world = new Playground(3);
    const first = world.exec('sim after 10s echo hi');
    world.advance(20_000);
    const trace = world.trace();
    const last = world.trace(1);
    const hash = world.traceHash();
    const now = world.now();
    const undone = world.undo();
    return { first, now, trace, last, hash, undone, after: world.now(), state: world.shareState() };
  });
  assert.deepEqual(result.first, { ok: true, output: 'scheduled for 2022-06-12T00:00:10Z: echo hi\n' });
  assert.equal(result.now, Date.parse('2022-06-12T00:00:20Z'));
  assert.equal(result.trace.length, 2);
  assert.equal(result.trace[1].kind, 'scheduled-command');
  assert.deepEqual(result.trace[1].fields, { line: 'echo hi', ok: true, output: 'hi\n' });
  assert.deepEqual(result.last, [result.trace[1]]);
  assert.match(result.hash, /^sha256:[0-9a-f]{64}$/);
  assert.match(result.undone, /^undid `▶ played 20s`/);
  assert.equal(result.after, Date.parse('2022-06-12T00:00:00Z'));
  assert.equal(typeof result.state, 'string');
});

test('bad input is refused with clear errors', async () => {
  const errors = await page.evaluate(async () => {
    const { Playground } = await import('./pkg/playground.js');
    const caught = (f) => { try { f(); return null; } catch (e) { return String(e.message ?? e); } };
    const world = new Playground();
    return {
      seed: caught(() => new Playground(-1)),
      advance: caught(() => world.advance(-5)),
      fraction: caught(() => world.advance(1.5)),
      exec: world.exec('sim advance 5x'),
      now: world.now(),
      undo: world.undo() ?? null,
    };
  });
  assert.match(errors.seed, /whole number/);
  assert.match(errors.advance, /positive whole number/);
  assert.match(errors.fraction, /positive whole number/);
  assert.equal(errors.exec.ok, false);
  assert.match(errors.exec.output, /unknown unit `x`/);
  assert.equal(errors.now, Date.parse('2022-06-12T00:00:00Z'));
  assert.equal(errors.undo, null);
});
