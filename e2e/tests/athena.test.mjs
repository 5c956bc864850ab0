// The course's compaction in the browser: upload a JSON file, query it with Athena, compact it
// with a CTAS into one Snappy Parquet file, and download that file as real Parquet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, newPage, screenshot } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const LOGS = [
  { timestamp: '2022-06-12 00:00:01.000', device_name: 'device-1', metric: 40.0 },
  { timestamp: '2022-06-12 00:01:01.000', device_name: 'device-2', metric: 45.5 },
  { timestamp: '2022-06-12 00:02:01.000', device_name: 'device-1', metric: 50.0 },
].map((row) => JSON.stringify(row)).join('\n') + '\n';

test('upload JSON, query it, compact it with CTAS and download the Parquet file', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  await app.type('aws s3 mb s3://course-logs');
  await page.getByTestId('upload').setInputFiles({ name: 'logs.json', mimeType: 'application/json', buffer: Buffer.from(LOGS) });
  await page.getByText('uploaded ./logs.json').waitFor();
  await app.type('aws s3 cp ./logs.json s3://course-logs/raw/logs.json');
  await app.type('athena "CREATE DATABASE class"');
  const create = await app.type(
    "athena --database class \"CREATE EXTERNAL TABLE logs (`timestamp` string, device_name string, metric double) " +
    "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://course-logs/raw/'\"",
  );
  assert.equal(await create.getAttribute('data-ok'), 'true', await create.textContent());
  const query = await app.type('athena --database class "SELECT device_name, count(*) AS n, avg(metric) AS avg_metric FROM logs GROUP BY 1 ORDER BY 1"');
  const text = await query.textContent();
  assert.match(text, /device-1\s+\|\s+2\s+\|\s+45\.0/);
  assert.match(text, /device-2\s+\|\s+1\s+\|\s+45\.5/);
  const ctas = await app.type(
    "athena --database class \"CREATE TABLE compacted WITH (format='PARQUET', parquet_compression='SNAPPY', " +
    "external_location='s3://course-logs/compacted/', bucketed_by=ARRAY['device_name'], bucket_count=1) AS SELECT * FROM logs\"",
  );
  assert.equal(await ctas.getAttribute('data-ok'), 'true', await ctas.textContent());
  const row = page.locator('[data-testid=object][data-key^="compacted/"]');
  await row.waitFor();
  assert.equal(await row.count(), 1, 'bucket_count=1 writes exactly one file');
  await screenshot(page, '30-compacted');
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('download').click()]);
  const bytes = await readFile(await download.path());
  assert.equal(bytes.subarray(0, 4).toString(), 'PAR1');
  assert.equal(bytes.subarray(bytes.length - 4).toString(), 'PAR1');
  assert.deepEqual(page.errors, []);
});

test('the Athena panel runs SQL with Ctrl+Enter, shows the grid and history, and inspects Parquet', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  await app.type('aws s3 mb s3://course-logs');
  await page.getByTestId('upload').setInputFiles({ name: 'logs.json', mimeType: 'application/json', buffer: Buffer.from(LOGS) });
  await page.getByText('uploaded ./logs.json').waitFor();
  await app.type('aws s3 cp ./logs.json s3://course-logs/raw/logs.json');
  await app.type('athena "CREATE DATABASE class"');
  await app.type(
    "athena --database class \"CREATE EXTERNAL TABLE logs (`timestamp` string, device_name string, metric double) " +
    "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://course-logs/raw/'\"",
  );

  const panel = page.getByTestId('athena-panel');
  await panel.getByTestId('database').selectOption('class');
  const editor = panel.getByTestId('sql-editor');
  // Quotes of both kinds and a second line go through the shell untouched.
  await editor.fill("SELECT device_name, count(*) AS \"n\"\nFROM logs WHERE device_name <> 'it''s' GROUP BY 1 ORDER BY 1");
  await editor.press('Control+Enter');
  const grid = panel.getByTestId('results');
  await grid.waitFor();
  assert.deepEqual(await grid.locator('thead th').allTextContents(), ['device_name', 'n']);
  const rows = grid.getByTestId('result-row');
  assert.deepEqual(await rows.nth(0).locator('td').allTextContents(), ['device-1', '2']);
  assert.deepEqual(await rows.nth(1).locator('td').allTextContents(), ['device-2', '1']);
  assert.equal(await rows.count(), 2);
  const status = panel.getByTestId('query-status');
  assert.equal(await status.getAttribute('data-state'), 'SUCCEEDED');
  // The JSON file is read whole: its size in bytes is what Athena bills (10 MB minimum).
  assert.equal(await status.getAttribute('data-scanned-bytes'), String(Buffer.byteLength(LOGS)));
  assert.match(await status.textContent(), new RegExp(`Data scanned: ${Buffer.byteLength(LOGS)} bytes, Cost: \\$0\\.00004768 \\(10 MB minimum billed\\)`));
  // The terminal shows the same line a learner could type.
  assert.match(await app.blocks.last().textContent(), /athena --database class <<'SQL'/);

  // A failed query says why.
  await editor.fill('SELECT nope FROM logs');
  await panel.getByTestId('run-query').click();
  await panel.locator('[data-testid=query-status]', { hasText: 'FAILED' }).waitFor();
  assert.match(await status.textContent(), /COLUMN_NOT_FOUND/);

  // CTAS to Snappy Parquet, then inspect the file it wrote.
  await editor.fill(
    "CREATE TABLE compacted WITH (format='PARQUET', parquet_compression='SNAPPY', " +
    "external_location='s3://course-logs/compacted/', bucket_count=1, bucketed_by=ARRAY['device_name']) AS SELECT * FROM logs",
  );
  await editor.press('Control+Enter');
  await panel.locator('[data-testid=query-status][data-state=SUCCEEDED]', { hasText: '3 row(s) written' }).waitFor();
  const history = panel.getByTestId('query-history').getByTestId('history-item');
  assert.match(await history.first().textContent(), /CREATE TABLE compacted/);
  assert.match(await history.nth(1).textContent(), /SELECT device_name/);
  await history.nth(1).locator('button').click();
  assert.match(await editor.inputValue(), /^SELECT device_name, count\(\*\) AS "n"\nFROM logs/);

  const object = page.locator('[data-testid=object][data-key^="compacted/"]');
  await object.getByTestId('inspect').click();
  const inspector = page.getByTestId('parquet-inspector');
  await inspector.getByTestId('parquet-summary').waitFor();
  assert.match(await inspector.getByTestId('parquet-summary').textContent(), /^3 rows in 1 row group/);
  assert.deepEqual(await inspector.getByTestId('codec').allTextContents(), ['SNAPPY', 'SNAPPY', 'SNAPPY']);
  const metric = inspector.getByTestId('chunk').filter({ hasText: 'metric' });
  assert.deepEqual((await metric.locator('td').allTextContents()).slice(-2), ['40.0', '50.0']);
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, '31-athena-panel');
  await screenshot(page, '32-athena-panel-only', panel);
  await screenshot(page, '33-parquet-inspector', inspector);
  assert.deepEqual(page.errors, []);
});
