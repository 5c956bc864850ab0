// S3 in the browser: upload a local file, copy it into a bucket, see it in the S3 panel,
// download it back as a real file; and the JS API's putObject/getObject.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BASE_URL, launch, newPage, screenshot } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('upload a file, copy it to S3 and download it from the S3 panel', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  await app.type('aws s3 mb s3://browser-demo');
  const content = '{"device_name":"sensor-1","metric":42.5}\n';
  await page.getByTestId('upload').setInputFiles({ name: 'events.json', mimeType: 'application/json', buffer: Buffer.from(content) });
  await page.getByText('uploaded ./events.json').waitFor();
  const block = await app.type('aws s3 cp ./events.json s3://browser-demo/raw/events.json');
  assert.equal(await block.getAttribute('data-ok'), 'true', await block.textContent());
  const row = page.locator('[data-testid=object][data-key="raw/events.json"]');
  await row.waitFor();
  assert.match(await row.textContent(), /STANDARD/);
  await screenshot(page, '20-s3-panel');
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('download').click()]);
  assert.equal(download.suggestedFilename(), 'events.json');
  assert.equal(await readFile(await download.path(), 'utf8'), content);
  assert.deepEqual(page.errors, []);
});

test('the S3 panel lists lifecycle and replication rules, and fast-forwarding shows them act', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  await app.type('aws s3 mb s3://rules-demo');
  await app.type('aws s3 mb s3://rules-demo-dr');
  // Above the 128 KiB minimum S3 has applied to lifecycle transitions since 2024.
  await page.getByTestId('upload').setInputFiles({ name: 'big.log', mimeType: 'text/plain', buffer: Buffer.alloc(200 * 1024, 'x') });
  await page.getByText('uploaded ./big.log').waitFor();
  await app.type('aws s3 cp ./big.log s3://rules-demo/logs/big.log');
  const lifecycle = await app.type(`aws s3api put-bucket-lifecycle-configuration --bucket rules-demo --lifecycle-configuration '{"Rules": [{"ID": "age-out-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}], "Expiration": {"Days": 365}}]}'`);
  assert.equal(await lifecycle.getAttribute('data-ok'), 'true', await lifecycle.textContent());
  await app.type('aws s3api put-bucket-versioning --bucket rules-demo --versioning-configuration Status=Enabled');
  await app.type('aws s3api put-bucket-versioning --bucket rules-demo-dr --versioning-configuration Status=Enabled');
  const replication = await app.type(`aws s3api put-bucket-replication --bucket rules-demo --replication-configuration '{"Role": "arn:aws:iam::123456789012:role/replication", "Rules": [{"ID": "to-dr", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": "reports/"}, "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::rules-demo-dr", "StorageClass": "STANDARD_IA"}}]}'`);
  assert.equal(await replication.getAttribute('data-ok'), 'true', await replication.textContent());

  const bucket = page.locator('[data-testid=bucket][data-bucket="rules-demo"]');
  assert.equal(
    await bucket.getByTestId('lifecycle-rule').textContent(),
    'Lifecycle age-out-logs (logs/*): STANDARD_IA after 30 days, GLACIER after 90 days, expire after 365 days',
  );
  assert.equal(
    await bucket.getByTestId('replication-rule').textContent(),
    'Replication to-dr (reports/*) → s3://rules-demo-dr as STANDARD_IA, priority 1',
  );
  const row = bucket.locator('[data-testid=object][data-key="logs/big.log"]');
  assert.equal(await row.locator('.pp-class').textContent(), 'STANDARD');

  // Two months on, the rule has moved the object to STANDARD_IA; the age column counts the days.
  await page.getByTestId('advance-30d').click();
  await page.getByTestId('advance-30d').click();
  assert.equal(await row.locator('.pp-class').textContent(), 'STANDARD_IA');
  assert.equal(await row.getByTestId('age').textContent(), '60 d');
  await screenshot(page, '21-s3-lifecycle');
  // A year on, it has expired: on a versioned bucket the current version becomes a delete marker.
  await page.getByTestId('advance-365d').click();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('the S3 panel speaks Korean with ?lang=ko', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open(new URL('?lang=ko', BASE_URL).href);
  const panel = page.getByTestId('s3-panel');
  assert.match(await panel.textContent(), /아직 버킷이 없습니다/);
  await app.type('aws s3 mb s3://hangul-demo');
  await page.getByTestId('upload').setInputFiles({ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a\n') });
  await page.getByText('uploaded ./a.txt').waitFor();
  await app.type('aws s3 cp ./a.txt s3://hangul-demo/a.txt');
  const bucket = panel.locator('[data-testid=bucket][data-bucket="hangul-demo"]');
  assert.equal(await bucket.locator('summary').textContent(), 's3://hangul-demo  (객체 1개)');
  assert.deepEqual(await bucket.locator('th').allTextContents(), ['키', '스토리지 클래스', '크기(바이트)', '마지막 수정', '경과', '작업']);
  const row = bucket.locator('[data-testid=object][data-key="a.txt"]');
  assert.equal(await row.getByTestId('download').textContent(), '다운로드');
  assert.equal(await row.getByTestId('age').textContent(), '방금');
  assert.match(await panel.locator('.pp-fast-forward').textContent(), /빨리 감기:/);
  assert.equal(await page.getByTestId('advance-30d').textContent(), '+30일');
  assert.equal(await page.getByTestId('advance-365d').textContent(), '+1년');
  await page.getByTestId('advance-30d').click();
  assert.equal(await row.getByTestId('age').textContent(), '30일');
  assert.doesNotMatch(await panel.textContent(), /Download|Fast-forward|days|object/);
  await screenshot(page, '22-s3-panel-korean', panel);
  assert.deepEqual(page.errors, []);
});

test('an upload is part of the share link', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  await page.getByTestId('upload').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('shared\n') });
  await page.getByText('uploaded ./note.txt').waitFor();
  const copy = new PlaygroundPage(await newPage(browser));
  await copy.open(page.url());
  const block = await copy.type('cat ./note.txt');
  assert.equal(await block.textContent(), '$ cat ./note.txtshared\n');
});

test('putObject and getObject from a host page', async () => {
  const page = await newPage(browser);
  await page.goto(new URL('api-example.html', BASE_URL).href);
  const result = await page.evaluate(async () => {
    const { default: init, Playground } = await import('./pkg/playground.js');
    await init();
    const world = new Playground();
    world.exec('aws s3 mb s3://api-bucket');
    const put = world.putObject('api-bucket', 'data/hello.txt', new TextEncoder().encode('hello'));
    const bytes = world.getObject('api-bucket', 'data/hello.txt');
    let missing = null;
    try { world.getObject('api-bucket', 'nope'); } catch (e) { missing = e.message; }
    return { put, text: new TextDecoder().decode(bytes), isBytes: bytes instanceof Uint8Array, missing };
  });
  assert.deepEqual(result.put, { ok: true, output: 'upload: ./uploads/hello.txt to s3://api-bucket/data/hello.txt\n' });
  assert.equal(result.text, 'hello');
  assert.ok(result.isBytes);
  assert.equal(result.missing, 'NoSuchKey: The specified key does not exist.');
});
