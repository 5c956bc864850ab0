// The course's scheduled log pipeline in the browser: every line of examples/pipeline-hour.sh
// typed into the terminal, ending with twelve compacted Parquet files and the same trace hash as
// the native CLI running the same script.
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
