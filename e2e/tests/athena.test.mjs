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
