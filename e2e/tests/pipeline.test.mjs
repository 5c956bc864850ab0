// The course's scheduled log pipeline in the browser: every line of examples/pipeline-hour.sh
// typed into the terminal, ending with twelve compacted Parquet files and the same trace hash as
// the native CLI running the same script; and examples/order-fanout.sh, whose order events fan
// out to two functions and a queue, drawn as arrows in the EventBridge + Lambda panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { launch, newPage, screenshot } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';

const script = readFileSync(new URL('../../examples/pipeline-hour.sh', import.meta.url), 'utf8');
const lines = script.split('\n').filter((line) => line.trim() && !line.startsWith('#'));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function nativeHash() {
  const bin = process.env.PLAYGROUND_BIN;
  assert.ok(bin, 'PLAYGROUND_BIN must point at the native playground binary (cargo xtask test sets it)');
  const out = execFileSync(bin, ['--seed', '1'], { input: `${script}\nsim trace --hash\n`, cwd: process.env.TMPDIR || '/tmp' });
  return out.toString().trim().split('\n').pop();
}

test('the browser terminal runs the whole pipeline script', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  let last;
  for (const line of lines) {
    last = await app.type(line);
    // The test invocation before the fix is meant to report a function error, not to fail.
    assert.equal(await last.getAttribute('data-ok'), 'true', `${line}\n${await last.textContent()}`);
  }
  // Before anything else is typed: every `aws …` line goes into the trace.
  const hash = await app.type('sim trace --hash');
  const wasmHash = (await hash.textContent()).match(/sha256:[0-9a-f]{64}/)?.[0];
  assert.equal(wasmHash, nativeHash().replace(/^.*(sha256:)/, '$1'));
  const compactorLog = await last.textContent();
  assert.match(compactorLog, /compacting \[2022-06-12 00:55:00\.000, 2022-06-12 01:00:00\.000\)/);
  const listing = await app.type('aws s3 ls s3://sensor-logs/compacted/ --recursive');
  const files = (await listing.textContent()).split('\n').filter((l) => l.includes('_bucket-00000'));
  assert.equal(files.length, 12, await listing.textContent());
  const denied = await app.type('aws logs filter-log-events --log-group-name /aws/lambda/log-generator --filter-pattern AccessDenied');
  assert.match(await denied.textContent(), /is not authorized to perform: s3:PutObject/);
  const panel = page.getByTestId('lambda-panel');
  assert.equal(await panel.getByTestId('function').count(), 2);
  assert.match(await panel.locator('[data-testid="function"][data-function="log-generator"]').textContent(), /62 runs, 1 error,/);
  assert.match(await panel.locator('[data-rule="every-five-minutes"]').textContent(), /cron\(0\/5 \* \* \* \? \*\).*2022-06-12T01:05:00Z/);
  await panel.getByRole('button', { name: 'log-compactor' }).click();
  assert.match(await panel.getByTestId('function-log').textContent(), /REPORT RequestId: .*Billed Duration/);
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, '40-pipeline-hour');
  assert.deepEqual(page.errors, []);
});

test('the order fan-out is drawn as arrows from each rule to its targets, with a text list', async () => {
  const fanout = readFileSync(new URL('../../examples/order-fanout.sh', import.meta.url), 'utf8');
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  for (const block of await app.typeScript(fanout)) {
    assert.equal(await block.getAttribute('data-ok'), 'true', await block.textContent());
  }
  const figure = page.getByTestId('eventbridge-fanout');
  const arrows = figure.getByTestId('fanout-arrow');
  const targets = await arrows.evaluateAll((gs) => gs.map((g) => `${g.dataset.rule} → ${g.dataset.target}`));
  assert.deepEqual(targets, [
    'large-orders → manual-review',
    'order-placed → invoice-service',
    'order-placed → payment-service',
  ]);
  assert.match(await figure.locator('svg').getAttribute('aria-label'), /2 rule\(s\) with 3 arrow\(s\)/);
  // Both functions ran for the rule within the last ten simulated minutes; the queue is not a function.
  assert.equal(await figure.locator('[data-rule="order-placed"].pp-arrow-recent').count(), 2);
  const list = figure.getByTestId('fanout-list');
  assert.match(
    await list.locator('li[data-rule="order-placed"]').textContent(),
    /^orders \/ order-placed → invoice-service \(Lambda, last delivered .*\), payment-service \(Lambda, last delivered .*\)$/,
  );
  assert.equal(await list.locator('li[data-rule="large-orders"]').textContent(), 'orders / large-orders → manual-review (SQS)');
  await figure.scrollIntoViewIfNeeded();
  await screenshot(page, '41-eventbridge-fanout', figure);
  await page.getByTestId('theme-toggle').click();
  await screenshot(page, '42-eventbridge-fanout-dark', figure);
  assert.deepEqual(page.errors, []);
});
